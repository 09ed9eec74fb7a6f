package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.OtherTime;
import studio.engine.cost.PipelineCost;
import studio.engine.cost.SpSearch;
import studio.engine.model.ModelDescription;
import studio.engine.plan.LayerStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

/**
 * The best plan of one pipeline degree within one sub-search (search-engine spec §6.4 {@code DpOnModel.fit}): the
 * stage knapsacks (§6.5) at every vocab TP budget, the vocab TP choice (§6.6), coarse mode (§6.7), and in studio mode
 * the division search and the compute-only knapsack variant.
 */
final class DegreeSearch {
    private static final double INF = Double.POSITIVE_INFINITY;

    /**
     * One sub-search's settings (§6.3) and what its pipeline degrees share.
     *
     * @param knapsacks the group's knapsacks by shape, reused across its sub-searches
     * @param tables    the group's layer tables by strategy set (its batch, chunks and min TP fix the rest), reused
     *                  by its sub-searches that allow the same strategies
     * @param incumbent samples/s of a plan found before this sub-search in Galvatron's order (0: search everything):
     *                  a batch sweep leaves out the degrees that cannot beat it
     */
    record SubSearch(TaskGroup group, boolean vocabularyUlysses, boolean embeddingZero3, SpSearch spSearch,
                     Map<String, StageKnapsack> knapsacks, Map<List<LayerStrategy>, LayerTables> tables, BooleanSupplier cancelled,
                     MemoryShortfall shortfall, double incumbent) {
    }

    private final CostModel costModel;
    private final SearchOptions options;
    private final ModelDescription model;
    private final int budgetMb;
    private final int cacheReserveMb;
    private final boolean studio;
    /** Vocab TP degrees the runtime can run (every profiled one in galvatron-v2 mode). */
    private final IntPredicate vocabularyRunnable;
    private final PipelineRanking ranking;
    private final KnapsackCache shared;

    DegreeSearch(CostModel costModel, SearchOptions options, boolean studio, IntPredicate vocabularyRunnable, KnapsackCache shared) {
        CostModelOptions costOptions = costModel.options();
        this.costModel = costModel;
        this.options = options;
        this.model = costModel.profiles().model();
        this.budgetMb = costOptions.usableMemoryMb();
        this.cacheReserveMb = costOptions.cacheReserveMb();
        this.studio = studio;
        this.vocabularyRunnable = vocabularyRunnable;
        this.ranking = new PipelineRanking(costModel, studio);
        this.shared = shared;
    }

    /** The candidate no strategy fits: -1 per stage, as Galvatron reports it. */
    PpCandidate infeasible(int pp, List<Integer> division) {
        List<Integer> remain = new ArrayList<>();
        List<Integer> memory = new ArrayList<>();
        for (int i = 0; i < pp; i++) {
            remain.add(-1);
            memory.add(-1 + cacheReserveMb);
        }
        return new PpCandidate(pp, division, INF, remain, memory, -1, null);
    }

    /** The best plan of {@code strategies} (all of pipeline degree {@code pp}) at micro-batch size {@code microBatchSize}. */
    PpCandidate fit(SubSearch task, List<LayerStrategy> strategies, int pp, int microBatchSize) {
        TaskGroup group = task.group();
        int total = model.totalLayers();
        List<Integer> evenDivision = model.layerTypes().size() == 1 ? PipelineDivision.even(total, pp)
                : PipelineDivision.memoryBalanced(costModel, pp, group.globalBatch(), microBatchSize);
        if (pp > total || evenDivision.stream().anyMatch(d -> d < 1)) return infeasible(pp, evenDivision);
        LayerTables tables = task.tables().computeIfAbsent(strategies,
                s -> new LayerTables(costModel, s, pp, group.globalBatch(), microBatchSize, group.minTp()));
        Map<Integer, double[]> vocabularyMb = costModel.otherMemory(strategies.get(0), group.globalBatch(), microBatchSize,
                group.minTp(), group.maxTp(), task.vocabularyUlysses(), task.embeddingZero3());
        OtherTime vocabularyTime = costModel.otherTime(microBatchSize, pp, task.vocabularyUlysses(), task.embeddingZero3(),
                group.minTp(), group.maxTp());
        double buffer = options.fineGrained() ? costModel.globalBufferMb(microBatchSize, group.minTp(), group.maxTp(), task.spSearch())
                : costModel.globalBufferCoarseMb(microBatchSize, group.minTp(), group.maxTp());
        int bufferMb = (int) buffer;
        task.shortfall().offer(tables, vocabularyMb, bufferMb, evenDivision, group);
        DegreeInputs inputs = new DegreeInputs(task, tables, vocabularyMb, vocabularyTime, bufferMb);
        if (!options.fineGrained()) return coarse(inputs, evenDivision);
        boolean incumbentBound = task.incumbent() > 0 && !studio && options.pinnedLayers().isEmpty();
        // what every division's bound shares, worked out once: the studio asks it of each division it climbs to
        LeastIteration least = incumbentBound || (studio && pp > 1) ? new LeastIteration(inputs, group, strategies) : null;
        if (incumbentBound) {
            double boundS = least.of(evenDivision);
            // strictly slower than a plan found earlier in Galvatron's order (with room for the bound's own rounding):
            // it can be neither faster nor first
            if (group.globalBatch() / (boundS * (1 - 1e-9)) < task.incumbent()) return PpCandidate.notSearched(pp, evenDivision, boundS);
        }
        List<List<Integer>> divisions = new ArrayList<>();
        divisions.add(evenDivision);
        if (studio && pp > 1) divisions = StudioDivisions.candidates(evenDivision, total, pp);
        PpCandidate best = null;
        for (List<Integer> division : divisions) {
            if (best != null && least.cannotBeat(division, best.rankS())) continue;
            PpCandidate candidate = fineGrained(inputs, division, division.equals(evenDivision));
            if (best == null || candidate.rankS() < best.rankS()) best = candidate;
        }
        if (studio && pp > 1 && best.feasible()) {
            best = StudioDivisions.improve(best, division -> fineGrained(inputs, division, division.equals(evenDivision)),
                    least::cannotBeat);
        }
        return best;
    }

    /**
     * The least iteration any plan of this degree can take by Galvatron's formula (§5.5), per division: each stage at
     * its knapsack's linear relaxation ({@link StageBound}) within the budget its lightest vocabulary leaves, plus
     * its fastest vocabulary, and no gradient-reduce tail (the formula only grows with each stage's time, and the tail
     * is never negative). Where the chunk sizes leave fewer micro-batches than asked, the layers' times are those of
     * the larger micro-batch (as {@link PipelineRanking} prices them): every micro-batch count a first layer's
     * strategy can give is bounded, and the least is kept. +inf when no plan fits. What does not depend on the
     * division (the vocabularies' least time and largest budget, the layer times per micro-batch count) is worked out
     * once.
     */
    private final class LeastIteration {
        private final LayerTables tables;
        private final double[] vocabularyS;
        private final long[] stageBudgetMb;
        private final boolean everyStageHasRoom;
        /** Per micro-batch count the pipeline can run (one per distinct first-layer data-parallel width): the layer times. */
        private final Map<Integer, double[][]> timeByChunks = new TreeMap<>();

        LeastIteration(DegreeInputs inputs, TaskGroup group, List<LayerStrategy> strategies) {
            tables = inputs.tables();
            int pp = tables.pp;
            vocabularyS = new double[pp];
            Arrays.fill(vocabularyS, INF);
            for (double[] perStage : inputs.vocabularyTime().noCommS().values()) {
                for (int i = 0; i < pp; i++) vocabularyS[i] = Math.min(vocabularyS[i], perStage[i]);
            }
            stageBudgetMb = new long[pp];
            Arrays.fill(stageBudgetMb, Long.MIN_VALUE);
            for (double[] perStage : inputs.vocabularyMb().values()) {
                for (int i = 0; i < pp; i++) {
                    stageBudgetMb[i] = Math.max(stageBudgetMb[i], budgetMb - ((long) Math.ceil(perStage[i]) + inputs.bufferMb()));
                }
            }
            boolean room = true;
            for (int i = 0; i < pp; i++) room &= vocabularyS[i] != INF && stageBudgetMb[i] != Long.MIN_VALUE;
            everyStageHasRoom = room;
            for (LayerStrategy first : strategies) {
                int real = PipelineRanking.realChunks(group, first, tables.chunks);
                timeByChunks.computeIfAbsent(real, r -> r == tables.chunks ? tables.withoutSyncS : timesAt((double) group.globalBatch() / r));
            }
        }

        private double[][] timesAt(double microBatch) {
            double[][] timeS = new double[tables.types][tables.strategies.size()];
            for (int t = 0; t < tables.types; t++) {
                for (int s = 0; s < tables.strategies.size(); s++) timeS[t][s] = costModel.layerTime(tables.strategies.get(s), t, microBatch).noCommS();
            }
            return timeS;
        }

        double of(List<Integer> division) {
            if (!everyStageHasRoom) return INF;
            int pp = tables.pp;
            int[][] layersOfType = new int[pp][tables.types];
            int layer = 0;
            for (int i = 0; i < pp; i++) {
                for (int j = 0; j < division.get(i); j++, layer++) layersOfType[i][model.typeOfLayer(layer)]++;
            }
            double least = INF;
            for (Map.Entry<Integer, double[][]> e : timeByChunks.entrySet()) {
                double[] compute = new double[pp];
                boolean fits = true;
                for (int i = 0; i < pp && fits; i++) {
                    double layers = StageBound.leastTimeS(tables.weightMb[tables.memoryTable(i)], e.getValue(), layersOfType[i], stageBudgetMb[i]);
                    fits = layers < INF;
                    compute[i] = layers + vocabularyS[i];
                }
                if (fits) least = Math.min(least, PipelineCost.iterationS(compute, compute, e.getKey()));
            }
            return least;
        }

        /**
         * Whether no plan of {@code division} can take less than {@code toBeatS}: its least iteration (with room for
         * the bound's own rounding) is already no faster. The studio ranks a plan by Galvatron's formula or more, so
         * such a division would never be kept, and its knapsacks need not be built.
         */
        boolean cannotBeat(List<Integer> division, double toBeatS) {
            return of(division) * (1 - 1e-9) >= toBeatS;
        }
    }

    /** What every division of one pipeline degree reads. */
    private record DegreeInputs(SubSearch task, LayerTables tables, Map<Integer, double[]> vocabularyMb, OtherTime vocabularyTime,
                         int bufferMb) {
    }

    private PpCandidate fineGrained(DegreeInputs inputs, List<Integer> division, boolean galvatronDivision) {
        LayerTables tables = inputs.tables();
        int pp = tables.pp;
        // Per stage and vocab candidate k: Galvatron's knapsack optimum (variant 0). The studio adds the optimum of the
        // compute-only time (variant 1): the pipeline ranks stages by it, Galvatron's knapsack by the with-comm time (Q8).
        int variants = studio ? 2 : 1;
        Map<Integer, StageKnapsack.Solution[][]> byVocabularyTp = new HashMap<>();
        int[] vocabularyTps = new int[inputs.vocabularyMb().size()];
        int[] stageBudgetMb = new int[vocabularyTps.length];
        int start = 0;
        for (int i = 0; i < pp; i++) {
            int n = division.get(i);
            int q = 0;
            for (Map.Entry<Integer, double[]> e : inputs.vocabularyMb().entrySet()) {
                vocabularyTps[q] = e.getKey();
                stageBudgetMb[q++] = budgetMb - ((int) Math.ceil(e.getValue()[i]) + inputs.bufferMb());
            }
            for (int v = 0; v < variants; v++) {
                // every vocabulary's budget at once: one build of the step functions answers them all
                StageKnapsack.Solution[] solutions = knapsack(inputs.task(), tables, i, start, n, v == 1)
                        .solve(n, stageBudgetMb, inputs.task().cancelled());
                for (q = 0; q < solutions.length; q++) {
                    byVocabularyTp.computeIfAbsent(vocabularyTps[q], k -> new StageKnapsack.Solution[variants][pp])[v][i] = solutions[q];
                }
            }
            start += n;
        }
        double best = INF;
        double bestGalvatron = INF;
        int vocabularyTp = -1;
        List<LayerStrategy> bestLayers = null;
        StageKnapsack.Solution[] bestSolutions = null;
        int combinations = variants == 1 ? 1 : (pp <= 6 ? 1 << pp : 2);
        for (int k : inputs.vocabularyTime().withCommS().keySet()) {
            StageKnapsack.Solution[][] all = byVocabularyTp.get(k);
            if (all == null) continue; // not in the memory profile's vocab tables (Galvatron: KeyError, quirk Q3)
            if (!vocabularyRunnable.test(k)) continue;
            for (int mask = 0; mask < combinations; mask++) {
                StageKnapsack.Solution[] solutions = new StageKnapsack.Solution[pp];
                boolean fits = true;
                for (int i = 0; i < pp; i++) {
                    int v = combinations == 2 ? mask : (mask >> i) & 1;
                    solutions[i] = all[v][i];
                    fits &= solutions[i].feasible();
                }
                if (!fits) continue;
                List<LayerStrategy> layers = new ArrayList<>();
                int[] index = new int[model.totalLayers()];
                int l = 0;
                for (StageKnapsack.Solution solution : solutions) {
                    for (int s : solution.strategyIndex()) {
                        index[l++] = s;
                        layers.add(tables.strategies.get(s));
                    }
                }
                PipelineRanking.Costs costs = ranking.of(tables, inputs.task().group(), division, index, layers,
                        inputs.vocabularyTime().noCommS().get(k));
                // Galvatron's own candidate is ranked by Galvatron's cost; the studio's extra candidates must also
                // beat it under the schedule's bound, so they never win through the formula's blind spots.
                double rank = mask == 0 && galvatronDivision ? costs.galvatronS() : costs.rankS();
                if (best > rank) {
                    best = rank;
                    bestGalvatron = costs.galvatronS();
                    vocabularyTp = k;
                    bestLayers = layers;
                    bestSolutions = solutions;
                }
            }
        }
        if (vocabularyTp == -1 || tables.strategies.isEmpty()) return infeasible(pp, division);
        List<Integer> remain = new ArrayList<>();
        List<Integer> memory = new ArrayList<>();
        for (StageKnapsack.Solution solution : bestSolutions) {
            remain.add(solution.remainingMb());
            memory.add(budgetMb - solution.remainingMb() + cacheReserveMb);
        }
        return new PpCandidate(pp, division, bestGalvatron, remain, memory, vocabularyTp, bestLayers, best);
    }

    private StageKnapsack knapsack(SubSearch task, LayerTables tables, int stage, int start, int n, boolean computeOnly) {
        int j = tables.memoryTable(stage);
        boolean unpinned = options.pinnedLayers().isEmpty();
        boolean identical = model.layerTypes().size() == 1 && unpinned;
        // The studio tries many divisions of a degree. A knapsack answers every shallower depth, so stages whose layer
        // types read the same from their first layer share one: keyed by the stage's runs of layer types, the last
        // run's length left open (its knapsack extends that run as far as the model has it).
        boolean byTypeRuns = !identical && unpinned && studio;
        String where = identical ? "0" : byTypeRuns ? typeRunsKey(model, start, n) : start + "/" + n;
        String key = task.spSearch().code() + "/" + tables.pp + "/" + j + "/" + where + (computeOnly ? "/nc" : "");
        StageKnapsack knapsack = task.knapsacks().get(key);
        if (knapsack != null && knapsack.layers() >= n) return knapsack;
        int deepestStage = model.totalLayers() - (tables.pp - 1);
        int depth;
        if (identical) {
            // one knapsack as deep as the deepest stage answers every stage (and, in the studio, every division)
            depth = studio ? deepestStage : Math.max(n, model.totalLayers() - (tables.pp - 1) * (model.totalLayers() / tables.pp));
        } else if (byTypeRuns) {
            // a few layers deeper than asked, within the last run: the divisions tried move one layer at a time, and
            // each layer deepens every step
            depth = Math.max(n, Math.min(Math.min(deepestStage, runEnd(model, start + n - 1) - start), n + n / 8 + 1));
        } else {
            depth = n;
        }
        int count = tables.strategies.size();
        int[][] weight = new int[depth][];
        double[][] time = new double[depth][];
        double[][][] transition = new double[depth][][];
        for (int l = 0; l < depth; l++) {
            int global = start + l;
            int type = model.typeOfLayer(Math.min(global, model.totalLayers() - 1));
            weight[l] = tables.weightMb[j][type];
            double[] layerTime = computeOnly ? tables.withoutSyncS[type] : tables.withSyncS[type];
            LayerStrategy pin = options.pinnedLayers().get(global);
            if (pin != null) {
                layerTime = layerTime.clone();
                for (int s = 0; s < count; s++) if (!tables.strategies.get(s).equals(pin)) layerTime[s] = INF;
            }
            time[l] = layerTime;
            transition[l] = tables.transitionS(type);
        }
        StageKnapsack built = shared.get(new KnapsackCache.Key(weight, time, transition, budgetMb),
                grown -> new StageKnapsack(weight, time, transition, budgetMb, grown));
        task.knapsacks().put(key, built);
        return built;
    }

    /** The layer types of layers {@code start..start+n-1} as runs ("type x count"), the last run's count left out. */
    static String typeRunsKey(ModelDescription model, int start, int n) {
        StringBuilder key = new StringBuilder("runs");
        int run = 0;
        for (int l = start; l < start + n; l++) {
            int type = model.typeOfLayer(l);
            boolean last = l + 1 == start + n || model.typeOfLayer(l + 1) != type;
            run++;
            if (!last) continue;
            key.append(':').append(type);
            if (l + 1 < start + n) key.append('x').append(run);
            run = 0;
        }
        return key.toString();
    }

    /** One past the last layer of the run of same-type layers that holds {@code layer}. */
    static int runEnd(ModelDescription model, int layer) {
        int type = model.typeOfLayer(layer);
        int end = layer + 1;
        while (end < model.totalLayers() && model.typeOfLayer(end) == type) end++;
        return end;
    }

    /** Galvatron's coarse mode (§6.7): one strategy for every layer, vocab TP equal to the layer TP. */
    private PpCandidate coarse(DegreeInputs inputs, List<Integer> division) {
        LayerTables tables = inputs.tables();
        int pp = tables.pp;
        double best = INF;
        PpCandidate bestCandidate = null;
        for (int s = 0; s < tables.strategies.size(); s++) {
            LayerStrategy strategy = tables.strategies.get(s);
            for (int k : inputs.vocabularyTime().withCommS().keySet()) {
                if (!inputs.vocabularyMb().containsKey(k) || strategy.tp() != k || !vocabularyRunnable.test(k)) continue;
                boolean fits = true;
                List<Integer> remain = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < pp; i++) {
                    int memory = (int) Math.ceil(inputs.vocabularyMb().get(k)[i]) + inputs.bufferMb();
                    int j = tables.memoryTable(i);
                    for (int l = start; l < start + division.get(i); l++) {
                        LayerStrategy pin = options.pinnedLayers().get(l);
                        if (pin != null && !pin.equals(strategy)) fits = false;
                        memory += tables.weightMb[j][model.typeOfLayer(l)][s];
                    }
                    start += division.get(i);
                    if (budgetMb - memory < 0) fits = false;
                    remain.add(budgetMb - memory);
                }
                if (!fits) continue;
                int[] index = new int[model.totalLayers()];
                Arrays.fill(index, s);
                List<LayerStrategy> layers = Collections.nCopies(model.totalLayers(), strategy);
                PipelineRanking.Costs costs = ranking.of(tables, inputs.task().group(), division, index, layers,
                        inputs.vocabularyTime().noCommS().get(k));
                if (best > costs.galvatronS()) {
                    best = costs.galvatronS();
                    List<Integer> memory = remain.stream().map(r -> budgetMb - r + cacheReserveMb).toList();
                    bestCandidate = new PpCandidate(pp, division, costs.galvatronS(), remain, memory, k, List.copyOf(layers),
                            costs.galvatronS());
                }
            }
        }
        // Galvatron's coarse path reports empty lists when no uniform strategy fits
        return bestCandidate == null ? new PpCandidate(pp, division, INF, List.of(), List.of(), -1, null) : bestCandidate;
    }
}
