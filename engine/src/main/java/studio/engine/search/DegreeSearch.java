package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.OtherTime;
import studio.engine.cost.SpSearch;
import studio.engine.model.ModelDescription;
import studio.engine.plan.LayerStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        return search(prepare(task, strategies, pp, microBatchSize, false));
    }

    /**
     * One pipeline degree of one sub-search, set up: its candidate where that took no search (nothing fits, coarse
     * mode, or a sweep's bound left it out), else what its search reads and, where asked, the least time the studio
     * can rank any of its plans at.
     */
    static final class Degree {
        private final int pp;
        private final PpCandidate done;
        private final DegreeInputs inputs;
        private final List<Integer> evenDivision;
        private final LeastIteration least;
        private final double boundS;

        private Degree(int pp, PpCandidate done, DegreeInputs inputs, List<Integer> evenDivision, LeastIteration least, double boundS) {
            this.pp = pp;
            this.done = done;
            this.inputs = inputs;
            this.evenDivision = evenDivision;
            this.least = least;
            this.boundS = boundS;
        }

        int pp() { return pp; }

        /** Whether the candidate is known without a search. */
        boolean done() { return done != null; }

        /** For a degree to search: the least time any of its plans ranks at (NaN where not asked for). */
        double boundS() { return boundS; }

        List<Integer> evenDivision() { return evenDivision; }
    }

    /**
     * Sets up one degree (§6.4's tables, vocabularies and buffer). {@code bounded}: works out, in studio mode, the least
     * time any of its plans ranks at ({@link LeastIteration#forStudio}), so that a search can order and leave out degrees.
     */
    Degree prepare(SubSearch task, List<LayerStrategy> strategies, int pp, int microBatchSize, boolean bounded) {
        TaskGroup group = task.group();
        int total = model.totalLayers();
        List<Integer> evenDivision = model.layerTypes().size() == 1 ? PipelineDivision.even(total, pp)
                : PipelineDivision.memoryBalanced(costModel, pp, group.globalBatch(), microBatchSize);
        if (pp > total || evenDivision.stream().anyMatch(d -> d < 1)) {
            return new Degree(pp, infeasible(pp, evenDivision), null, evenDivision, null, Double.NaN);
        }
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
        if (!options.fineGrained()) return new Degree(pp, coarse(inputs, evenDivision), inputs, evenDivision, null, Double.NaN);
        boolean incumbentBound = task.incumbent() > 0 && !studio && options.pinnedLayers().isEmpty();
        boolean studioBound = studio && bounded;
        // what every division's bound shares, worked out once: the studio asks it of each division it climbs to
        LeastIteration least = incumbentBound || studioBound || (studio && pp > 1)
                ? new LeastIteration(costModel, tables, group, strategies, vocabularyMb, vocabularyTime, bufferMb, budgetMb) : null;
        if (incumbentBound) {
            double boundS = least.of(evenDivision);
            // strictly slower than a plan found earlier in Galvatron's order (with room for the bound's own rounding):
            // it can be neither faster nor first
            if (group.globalBatch() / (boundS * (1 - 1e-9)) < task.incumbent()) {
                return new Degree(pp, PpCandidate.notSearched(pp, evenDivision, boundS), inputs, evenDivision, least, Double.NaN);
            }
        }
        double boundS = studioBound ? least.forStudio(evenDivision) : Double.NaN;
        return new Degree(pp, null, inputs, evenDivision, least, boundS);
    }

    /** The degree's best plan: its candidate where known, else its divisions' knapsacks (and the studio's climb). */
    PpCandidate search(Degree degree) {
        if (degree.done != null) return degree.done;
        DegreeInputs inputs = degree.inputs;
        LeastIteration least = degree.least;
        List<Integer> evenDivision = degree.evenDivision;
        int pp = degree.pp;
        List<List<Integer>> divisions = new ArrayList<>();
        divisions.add(evenDivision);
        if (studio && pp > 1) divisions = StudioDivisions.candidates(evenDivision, model.totalLayers(), pp);
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
