package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.MicroBatches;
import studio.engine.cost.PipelineCost;
import studio.engine.cost.PipelineTerms;
import studio.engine.model.ModelDescription;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;
import studio.engine.schedule.PipelineSchedule;

import java.util.Arrays;
import java.util.List;

/**
 * What a candidate plan costs: Galvatron's pipeline formula (search-engine spec §5.5) and, in studio mode, the
 * iteration as the runtime schedules it (issue 15's simulator), which the studio's own candidates must also beat.
 */
final class PipelineRanking {
    /** Galvatron's pipeline cost and the cost the search ranks by (equal in galvatron-v2 mode). */
    record Costs(double galvatronS, double rankS) {
    }

    private final CostModel costModel;
    private final ModelDescription model;
    private final PipelineType pipelineType;
    private final PipelineSchedule.GradientReduce reduce;
    private final boolean studio;

    PipelineRanking(CostModel costModel, boolean studio) {
        this.costModel = costModel;
        this.model = costModel.profiles().model();
        this.pipelineType = costModel.options().pipelineType();
        this.reduce = PipelineSchedule.GradientReduce.of(costModel.options().asyncGradReduce());
        this.studio = studio;
    }

    /**
     * @param strategyIndex per layer, the index of its strategy in the tables
     * @param layers        the same as strategies
     */
    Costs of(LayerTables tables, TaskGroup group, List<Integer> division, int[] strategyIndex, List<LayerStrategy> layers,
             double[] vocabularyWithoutSyncS) {
        int realChunks = realChunks(group, layers.get(0), tables.chunks);
        PipelineTerms terms;
        if (realChunks != tables.chunks) {
            // fewer micro-batches than asked: the layers' times are those of the larger micro-batch (§5.5)
            double[] chunks = new double[tables.types];
            Arrays.fill(chunks, tables.chunks);
            terms = costModel.pipelineCost(layers, division, chunks, group.globalBatch(), group.minTp(), vocabularyWithoutSyncS);
        } else {
            int count = strategyIndex.length;
            double[] withSync = new double[count];
            double[] withoutSync = new double[count];
            for (int l = 0; l < count; l++) {
                int type = model.typeOfLayer(l);
                withSync[l] = tables.withSyncS[type][strategyIndex[l]];
                withoutSync[l] = tables.withoutSyncS[type][strategyIndex[l]];
            }
            terms = PipelineCost.terms(withSync, withoutSync, division, vocabularyWithoutSyncS, realChunks);
        }
        double galvatron = terms.iterationS();
        return new Costs(galvatron, studio ? Math.max(galvatron, scheduleBound(pipelineType, reduce, terms.fullS(), terms.computeS(),
                vocabularyWithoutSyncS, terms.realChunks())) : galvatron);
    }

    /**
     * The micro-batches the pipeline runs when its first layer is {@code first}: the chunks its data-parallel shard of
     * the batch is cut into, possibly fewer than asked (§5.5).
     */
    static int realChunks(TaskGroup group, LayerStrategy first, double chunks) {
        int localBatch = (int) ((double) group.globalBatch() / (first.tp() * first.dp() / group.minTp()));
        return chunks == 1 ? 1 : MicroBatches.pieces(localBatch, (int) chunks);
    }

    /**
     * The iteration as the runtime schedules it ({@link PipelineSchedule}): each stage's micro-batch work {@code k}
     * split as Galvatron's model splits a layer (forward a third, backward two thirds; p2p is already inside the
     * layers' times), run in the plan's GPipe or 1F1B order, plus the exposed gradient-reduce tail; under
     * {@code --no_async_grad_reduce} every backward carries its stage's reduce instead (Galvatron's formula counts it
     * once). The studio ranks its own candidates by the larger of this and Galvatron's formula, so neither the
     * formula's blind spots nor an order the runtime cannot keep makes a candidate win.
     */
    static double scheduleBound(PipelineType pipelineType, PipelineSchedule.GradientReduce reduce, double[] full, double[] compute,
                                double[] vocabularyWithoutSyncS, int chunks) {
        int pp = compute.length;
        boolean everyMicroBatch = reduce == PipelineSchedule.GradientReduce.EVERY_MICRO_BATCH;
        double[] forward = new double[pp];
        double[] backward = new double[pp];
        double[] work = new double[pp];
        for (int i = 0; i < pp; i++) {
            // the layers' gradient reduce: their time with it less without it (the vocabulary is only in compute)
            double sync = everyMicroBatch ? Math.max(0, full[i] - (compute[i] - vocabularyWithoutSyncS[i])) : 0;
            forward[i] = compute[i] / 3;
            backward[i] = compute[i] - forward[i] + sync;
            work[i] = compute[i] + sync;
        }
        double makespan = PipelineSchedule.makespanMs(pipelineType, Math.max(1, chunks), forward, backward,
                new double[Math.max(1, pp - 1)]);
        double tail = everyMicroBatch ? 0 : PipelineCost.exposedReduceS(full, compute);
        // the plain bound stays a floor: the schedule is never below it, so this only guards against rounding
        return Math.max(makespan + tail, plainBound(work, chunks) + tail);
    }

    /** The plain 1F1B iteration without the reduce tail: every stage's work once, plus (micro-batches - 1) times the slowest. */
    static double plainBound(double[] compute, int chunks) {
        double sum = 0;
        double max = 0;
        for (double k : compute) {
            sum += k;
            max = Math.max(max, k);
        }
        return sum + (chunks - 1) * max;
    }
}
