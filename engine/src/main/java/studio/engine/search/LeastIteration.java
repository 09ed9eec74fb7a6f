package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.OtherTime;
import studio.engine.cost.PipelineCost;
import studio.engine.model.ModelDescription;
import studio.engine.plan.LayerStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The least iteration any plan of one pipeline degree can take by Galvatron's formula (§5.5), per division: each
 * stage at its knapsack's linear relaxation ({@link StageBound}) within the budget its lightest vocabulary leaves,
 * plus its fastest vocabulary, and no gradient-reduce tail (the formula only grows with each stage's time, and the
 * tail is never negative). Where the chunk sizes leave fewer micro-batches than asked, the layers' times are those of
 * the larger micro-batch (as {@link PipelineRanking} prices them): every micro-batch count a first layer's strategy
 * can give is bounded, and the least is kept. +inf when no plan fits. What does not depend on the division (the
 * vocabularies' least time and largest budget, the layer times per micro-batch count, the relaxations) is worked
 * out once.
 */
final class LeastIteration {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final CostModel costModel;
    private final ModelDescription model;
    private final LayerTables tables;
    private final double[] vocabularyS;
    private final long[] stageBudgetMb;
    private final boolean everyStageHasRoom;
    /** Each micro-batch count the pipeline can run (one per distinct first-layer data-parallel width), ascending. */
    private final List<AtChunks> atChunks = new ArrayList<>();

    /** One micro-batch count: the layers' times at its micro-batch, and per memory table their relaxation (built when first asked). */
    private final class AtChunks {
        final int chunks;
        final double[][] timeS;
        private final StageBound.Relaxation[] byTable = new StageBound.Relaxation[tables.weightMb.length];

        AtChunks(int chunks, double[][] timeS) {
            this.chunks = chunks;
            this.timeS = timeS;
        }

        StageBound.Relaxation relaxation(int stage) {
            int j = tables.memoryTable(stage);
            if (byTable[j] == null) byTable[j] = new StageBound.Relaxation(tables.weightMb[j], timeS);
            return byTable[j];
        }
    }

    /**
     * @param vocabularyMb   per vocab TP degree, per stage, what the vocabulary layers use, MB
     * @param vocabularyTime the vocabulary layers' times
     * @param bufferMb       the global buffer every stage keeps, MB
     * @param budgetMb       what a stage may use, MB
     */
    LeastIteration(CostModel costModel, LayerTables tables, TaskGroup group, List<LayerStrategy> strategies,
                   Map<Integer, double[]> vocabularyMb, OtherTime vocabularyTime, int bufferMb, int budgetMb) {
        this.costModel = costModel;
        this.model = costModel.profiles().model();
        this.tables = tables;
        int pp = tables.pp;
        vocabularyS = new double[pp];
        Arrays.fill(vocabularyS, INF);
        for (double[] perStage : vocabularyTime.noCommS().values()) {
            for (int i = 0; i < pp; i++) vocabularyS[i] = Math.min(vocabularyS[i], perStage[i]);
        }
        stageBudgetMb = new long[pp];
        Arrays.fill(stageBudgetMb, Long.MIN_VALUE);
        for (double[] perStage : vocabularyMb.values()) {
            for (int i = 0; i < pp; i++) {
                stageBudgetMb[i] = Math.max(stageBudgetMb[i], budgetMb - ((long) Math.ceil(perStage[i]) + bufferMb));
            }
        }
        boolean room = true;
        for (int i = 0; i < pp; i++) room &= vocabularyS[i] != INF && stageBudgetMb[i] != Long.MIN_VALUE;
        everyStageHasRoom = room;
        TreeSet<Integer> counts = new TreeSet<>();
        for (LayerStrategy first : strategies) counts.add(PipelineRanking.realChunks(group, first, tables.chunks));
        for (int real : counts) atChunks.add(new AtChunks(real, real == tables.chunks ? tables.withoutSyncS : timesAt((double) group.globalBatch() / real)));
    }

    private double[][] timesAt(double microBatch) {
        double[][] timeS = new double[tables.types][tables.strategies.size()];
        for (int t = 0; t < tables.types; t++) {
            for (int s = 0; s < tables.strategies.size(); s++) timeS[t][s] = costModel.layerTime(tables.strategies.get(s), t, microBatch).noCommS();
        }
        return timeS;
    }

    /** The least iteration of the plans of {@code division}. */
    double of(List<Integer> division) {
        if (!everyStageHasRoom) return INF;
        int pp = tables.pp;
        int[][] layersOfType = new int[pp][tables.types];
        int layer = 0;
        for (int i = 0; i < pp; i++) {
            for (int j = 0; j < division.get(i); j++, layer++) layersOfType[i][model.typeOfLayer(layer)]++;
        }
        double least = INF;
        for (AtChunks at : atChunks) {
            double[] compute = new double[pp];
            boolean fits = true;
            for (int i = 0; i < pp && fits; i++) {
                double layers = at.relaxation(i).leastTimeS(layersOfType[i], stageBudgetMb[i]);
                fits = layers < INF;
                compute[i] = layers + vocabularyS[i];
            }
            if (fits) least = Math.min(least, PipelineCost.iterationS(compute, compute, at.chunks));
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

    /**
     * The least time the studio can rank any plan of this degree at, whatever its division: Galvatron's own candidate
     * (its even division, ranked by Galvatron's formula) at {@link #of}, and every other plan at the larger of the
     * formula and the plain 1F1B bound, each least over every division into stages of one layer or more.
     */
    double forStudio(List<Integer> evenDivision) {
        return Math.min(of(evenDivision), overAllDivisions());
    }

    /**
     * The least, over every division, of the larger of Galvatron's formula and the plain 1F1B bound
     * ({@link PipelineRanking#plainBound}: the stages' sum plus (micro-batches - 1) times the slowest), which the
     * studio ranks its own candidates by at least. Bounded below by the larger of the two terms' own least: the
     * formula's through {@link #formulaOverAllDivisions}, the plain bound's through the least sum and the least
     * slowest stage of any division.
     */
    private double overAllDivisions() {
        int pp = tables.pp;
        int total = model.totalLayers();
        if (!everyStageHasRoom || pp > total) return INF;
        double least = INF;
        for (AtChunks at : atChunks) {
            double[][][] stageS = stageTimes(at);
            double formula = formulaOverAllDivisions(stageS, at.chunks);
            if (formula == INF) continue;
            double sum = new StagePath(stageS, 0, pp - 1, 0, total, false).leastS[total];
            double slowest = new StagePath(stageS, 0, pp - 1, 0, total, true).leastS[total];
            double plain = sum + (Math.max(1, at.chunks) - 1) * slowest;
            least = Math.min(least, Math.max(formula, plain));
        }
        return least;
    }

    /**
     * Galvatron's formula least over every division. On stage times {@code c} it is the larger of
     * {@code sum(c) + (chunks - 1) c_last} and a term of {@code c_0} and {@code sum(c_1..)}: for the first and last
     * stage's layers fixed, the middle stages count only through their sum, which grows with each. So the least sum
     * of the middle stages (a shortest path over their split points) gives the least formula, and only the first and
     * last stage's sizes are tried.
     */
    private double formulaOverAllDivisions(double[][][] stageS, int chunks) {
        int pp = tables.pp;
        int total = model.totalLayers();
        if (pp == 1) {
            double c = stageS[0][0][total];
            return c < INF ? PipelineCost.iterationS(new double[] {c}, new double[] {c}, chunks) : INF;
        }
        double least = INF;
        boolean oneType = model.layerTypes().size() == 1;
        StagePath shared = oneType ? middle(stageS, 0) : null;
        double[] compute = new double[pp];
        for (int first = 1; first <= total - (pp - 1); first++) {
            compute[0] = stageS[0][0][first];
            if (compute[0] == INF) continue;
            // one layer type: a stage's time depends on its size alone, so the middle's paths from 0 serve every start
            StagePath middle = oneType ? shared : middle(stageS, first);
            int shift = oneType ? first : 0;
            int lastStartMost = pp == 2 ? first : total - 1;
            for (int lastStart = first + (pp - 2); lastStart <= lastStartMost; lastStart++) {
                int end = lastStart - shift;
                if (pp > 2 && middle.leastS[end] == INF) continue;
                compute[pp - 1] = stageS[pp - 1][lastStart][total - lastStart];
                if (compute[pp - 1] == INF) continue;
                for (int i = pp - 2, at = end; i >= 1; i--) {
                    int from = middle.from[i][at];
                    compute[i] = stageS[i][from + shift][at - from];
                    at = from;
                }
                least = Math.min(least, PipelineCost.iterationS(compute, compute, chunks));
            }
        }
        return least;
    }

    /** The middle stages' (1 .. pp-2) least summed time from layer {@code start}, leaving the last stage a layer at least. */
    private StagePath middle(double[][][] stageS, int start) {
        return new StagePath(stageS, 1, tables.pp - 2, start, model.totalLayers() - 1, false);
    }

    /**
     * Stages {@code firstStage..lastStage} (one layer or more each) from layer {@code start}, over every choice of
     * their split points: {@code leastS[end]}, the least sum of their times (or, {@code slowest}, the least time of
     * their slowest) over layers {@code start..end-1} for {@code end} up to {@code endMost}, and per stage the layer
     * it starts at on that path ({@code from[stage][end]}).
     */
    private static final class StagePath {
        final double[] leastS;
        final int[][] from;

        StagePath(double[][][] stageS, int firstStage, int lastStage, int start, int endMost, boolean slowest) {
            int layers = stageS[0].length;
            from = new int[stageS.length][layers + 1];
            double[] reach = new double[layers + 1];
            Arrays.fill(reach, INF);
            reach[start] = 0;
            for (int i = firstStage; i <= lastStage; i++) {
                double[] next = new double[layers + 1];
                Arrays.fill(next, INF);
                for (int at = start; at < layers; at++) {
                    if (reach[at] == INF) continue;
                    double[] sizes = stageS[i][at];
                    for (int n = 1; at + n <= endMost && n < sizes.length; n++) {
                        double v = slowest ? Math.max(reach[at], sizes[n]) : reach[at] + sizes[n];
                        if (v < next[at + n]) {
                            next[at + n] = v;
                            from[i][at + n] = at;
                        }
                    }
                }
                reach = next;
            }
            leastS = reach;
        }
    }

    /**
     * Per stage, per first layer and size: the stage's least time (its layers' relaxation plus its fastest
     * vocabulary), +inf where they cannot fit. With one layer type every first layer reads one row.
     */
    private double[][][] stageTimes(AtChunks at) {
        int pp = tables.pp;
        int total = model.totalLayers();
        boolean oneType = model.layerTypes().size() == 1;
        double[][][] out = new double[pp][][];
        for (int i = 0; i < pp; i++) {
            StageBound.Relaxation relaxation = at.relaxation(i);
            out[i] = new double[total][];
            double[] bySize = null;
            for (int start = 0; start < total; start++) {
                if (oneType && bySize != null) {
                    out[i][start] = bySize;
                    continue;
                }
                double[] row = new double[total - (oneType ? 0 : start) + 1];
                Arrays.fill(row, INF);
                int[] layersOfType = new int[tables.types];
                for (int n = 1; n < row.length; n++) {
                    layersOfType[model.typeOfLayer(start + n - 1)]++;
                    double layers = relaxation.leastTimeS(layersOfType, stageBudgetMb[i]);
                    if (layers == INF) break; // a larger stage fits no better
                    row[n] = layers + vocabularyS[i];
                }
                out[i][start] = row;
                if (oneType) bySize = row;
            }
        }
        return out;
    }
}
