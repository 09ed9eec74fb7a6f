package studio.engine.search.v3;

import studio.engine.cost.v3.Galvatron3CostModel;
import studio.engine.cost.LayerTime;
import studio.engine.cost.v3.PipelineCost;
import studio.engine.cost.v3.TensorParallelMode;
import studio.engine.cost.v3.TransitionCost;
import studio.engine.cost.v3.VocabularyTime;
import studio.engine.plan.PipelineType;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.search.StageKnapsack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * Galvatron 3.0's search (v3 spec §6): the task grid, per task the layer-wise knapsack per stage under each vocabulary
 * strategy (or the uniform coarse plan), ranked by the closed-form pipeline cost; the first strictly best task wins.
 *
 * <p>The knapsack of a stage does not depend on the vocabulary strategy, so it runs once per stage and is read at
 * each strategy's budget (bit-identical to Galvatron's one run per pair, spec §10). Tasks are independent and run in
 * parallel; the result is assembled in task order, so the choice is the sequential one.
 */
public final class Galvatron3Search {
    private final Galvatron3CostModel costs;
    private final SearchSettings settings;
    private final StrategyEnumeration strategies;

    public Galvatron3Search(Galvatron3CostModel costs, SearchSettings settings) {
        this.costs = costs;
        this.settings = settings;
        this.strategies = StrategyEnumeration.of(settings.worldSize(), settings.cost().layerCount(), settings.defaultDpType(), settings.space(),
                settings.experts());
    }

    public StrategyEnumeration strategies() { return strategies; }

    public Search3Result search(BooleanSupplier cancelled) {
        long start = System.nanoTime();
        if (settings.batch().settleChunk() == 0) {
            throw new IllegalArgumentException("batch_size_info.settle_chunk 0: expected -1 (search every chunk count) or a positive count (Galvatron 3.0 divides by zero here)");
        }
        List<Integer> sizes = settings.batch().batchSizes();
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("batch_size_info: min_bsz " + settings.batch().minBsz() + ", max_bsz " + settings.batch().maxBsz()
                    + " and bsz_scale " + settings.batch().bszScale() + " give no batch size (the range starts at max(min_bsz, bsz_scale)); "
                    + "raise max_bsz to at least " + Math.max(settings.batch().minBsz(), settings.batch().bszScale()) + " or set settle_bsz");
        }
        List<SearchTask> tasks = TaskGrid.of(settings, strategies);
        if (!settings.fineGrained() && settings.cacheReserveMb() == 0 && !tasks.isEmpty() && !settings.studio()) {
            throw new IllegalArgumentException("options_info.fine_grained_mode 0 with memory_constraint " + settings.memoryConstraintGb()
                    + " GB: Galvatron 3.0's coarse search needs the cache reserve, which exists only above 20 GB (it dies with "
                    + "AttributeError 'mem_sub_cache'); use fine_grained_mode 1, or memory_constraint 21 or more");
        }
        TaskOutcome[] outcomes = new TaskOutcome[tasks.size()];
        IntStream.range(0, tasks.size()).parallel().forEach(i -> {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
            outcomes[i] = run(tasks.get(i), cancelled);
        });
        TaskOutcome best = null;
        double bestThroughput = -1;
        for (TaskOutcome o : outcomes) {
            if (o.throughput() > bestThroughput) {
                bestThroughput = o.throughput();
                best = o;
            }
        }
        if (best != null && !(best.throughput() > 0)) best = null;
        return new Search3Result(strategies, tasks, Arrays.asList(outcomes), best, (System.nanoTime() - start) / 1_000_000);
    }

    /** Galvatron's {@code search_for_single_task} (v3 spec §6.3). */
    TaskOutcome run(SearchTask task, BooleanSupplier cancelled) {
        int n = settings.cost().layerCount();
        int pp = task.pp();
        int maxDp = Math.max(Math.min(task.batch() / task.chunks(), settings.worldSize() / pp), 1);
        List<HybridStrategy> layers = keep(strategies.layers(), task, maxDp);
        List<HybridStrategy> vocabulary = keep(strategies.vocabulary(), task, maxDp);
        int[] stageLayers = evenDivision(n, pp);
        if (layers.isEmpty() || vocabulary.isEmpty()) return TaskOutcome.empty(task, -1, stageLayers, Integer.MAX_VALUE);
        if (settings.experts() != null && settings.fineGrained()) layers = withoutStrategiesThatCannotWin(layers, task, stageLayers);
        return settings.fineGrained()
                ? fineGrained(task, layers, vocabulary, stageLayers, cancelled)
                : coarse(task, layers, stageLayers);
    }

    private static List<HybridStrategy> keep(List<HybridStrategy> list, SearchTask task, int maxDp) {
        List<HybridStrategy> out = new ArrayList<>();
        for (HybridStrategy x : list) {
            if (x.pp() != task.pp() || x.tensorOrSequenceDegree() > task.bufferTp() || x.dp() > maxDp) continue;
            if (task.mode() == TensorParallelMode.TP_ONLY && x.sp() != 1) continue;
            if (task.mode() == TensorParallelMode.SP_ONLY && x.tp() != 1) continue;
            out.add(x);
        }
        return out;
    }

    /**
     * Drops what cannot change the optimum, so the knapsack over the many expert layouts stays small:
     * <ul>
     * <li>a strategy too heavy for every stage even beside that stage's lightest strategy on all its other layers
     *     (no feasible stage plan holds it), unless it is a stage's lightest (the least memory need reads those);</li>
     * <li>an expert layout another layout of the same dense strategy beats on every count the knapsack and the
     *     pipeline cost read: memory on every stage and time with and without the gradient sync. Transitions depend
     *     on the dense strategy alone, so the dropped layout never wins;</li>
     * <li>a strategy another beats on memory everywhere and on time by more than the transitions can take back
     *     (twice the largest transition: one in, one out), so swapping every use of the loser for the winner never
     *     makes a stage plan slower or heavier. A transition depends only on the two TP-or-Ulysses degrees when they
     *     differ (so two strategies of one degree have the same transitions to every other degree), and is at most
     *     {@link TransitionCost#MAX_WITHIN_DEGREE_S} when they do not; the largest is read off one strategy per degree.</li>
     * </ul>
     */
    private List<HybridStrategy> withoutStrategiesThatCannotWin(List<HybridStrategy> layers, SearchTask task, int[] stageLayers) {
        int pp = task.pp();
        int k = layers.size();
        double[][] figures = new double[k][pp + 2];
        double[] lightest = new double[pp];
        Arrays.fill(lightest, Double.POSITIVE_INFINITY);
        for (int i = 0; i < k; i++) {
            HybridStrategy s = layers.get(i);
            for (int j = 0; j < pp; j++) {
                figures[i][j] = costs.layerMemory().weightMb(s, task.batch(), task.chunks(), j);
                lightest[j] = Math.min(lightest[j], figures[i][j]);
            }
            LayerTime t = costs.layerTime().of(s, task.batch(), task.chunks());
            figures[i][pp] = t.totalS();
            figures[i][pp + 1] = t.noCommS();
        }
        double margin = 2 * largestTransitionS(layers, task);
        List<HybridStrategy> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            boolean keep = false; // fits some stage, or is a stage's lightest (what the least memory need reads)
            for (int j = 0; j < pp && !keep; j++) {
                keep = figures[i][j] + (stageLayers[j] - 1) * lightest[j] <= settings.budgetMb() || figures[i][j] == lightest[j];
            }
            if (!keep) continue;
            boolean dominated = false;
            for (int j = 0; j < k && !dominated; j++) {
                if (j == i) continue;
                if (sameDenseStrategy(layers.get(i), layers.get(j))) {
                    dominated = dominates(figures[j], figures[i], j < i);
                } else {
                    boolean sameDegree = layers.get(i).tensorOrSequenceDegree() == layers.get(j).tensorOrSequenceDegree();
                    dominated = dominatesBeyond(figures[j], figures[i], pp, sameDegree ? 2 * TransitionCost.MAX_WITHIN_DEGREE_S : margin);
                }
            }
            if (!dominated) out.add(layers.get(i));
        }
        return out;
    }

    private static boolean sameDenseStrategy(HybridStrategy a, HybridStrategy b) {
        return a.pp() == b.pp() && a.tp() == b.tp() && a.sp() == b.sp() && a.cp() == b.cp() && a.dp() == b.dp()
                && a.dpType() == b.dpType() && a.checkpoint() == b.checkpoint();
    }

    /** {@code a} no heavier anywhere, no slower without sync, and faster with it by more than {@code marginS}. */
    private static boolean dominatesBeyond(double[] a, double[] b, int pp, double marginS) {
        for (int x = 0; x < pp; x++) if (a[x] > b[x]) return false;
        return a[pp + 1] <= b[pp + 1] && a[pp] + marginS < b[pp];
    }

    /** The largest transition between any two of {@code layers}: between degrees from one strategy each, else the tie-breakers. */
    private double largestTransitionS(List<HybridStrategy> layers, SearchTask task) {
        java.util.Map<Integer, HybridStrategy> oneOfEachDegree = new java.util.TreeMap<>();
        for (HybridStrategy s : layers) oneOfEachDegree.putIfAbsent(s.tensorOrSequenceDegree(), s);
        double largest = TransitionCost.MAX_WITHIN_DEGREE_S;
        for (double[] row : costs.transition().matrix(new ArrayList<>(oneOfEachDegree.values()), task.batch(), task.chunks(), task.pp())) {
            for (double x : row) largest = Math.max(largest, x);
        }
        return largest;
    }

    /** {@code a} no worse than {@code b} anywhere, and better somewhere (or equal and first, so one of equals stays). */
    private static boolean dominates(double[] a, double[] b, boolean aFirst) {
        boolean better = false;
        for (int x = 0; x < a.length; x++) {
            if (a[x] > b[x]) return false;
            if (a[x] < b[x]) better = true;
        }
        return better || aFirst;
    }

    /** {@code pp_division_even}: n // pp layers per stage, the remainder on the last (quirk Q-v3-17). */
    public static int[] evenDivision(int layers, int pp) {
        int[] out = new int[pp];
        Arrays.fill(out, layers / pp);
        out[pp - 1] = layers - (layers / pp) * (pp - 1);
        return out;
    }

    private TaskOutcome fineGrained(SearchTask task, List<HybridStrategy> layers, List<HybridStrategy> vocabulary, int[] stageLayers,
                                    BooleanSupplier cancelled) {
        int pp = task.pp();
        int b = task.batch();
        int c = task.chunks();
        int strategyCount = layers.size();
        int budget = settings.budgetMb();
        double[] withSync = new double[strategyCount];
        double[] withoutSync = new double[strategyCount];
        for (int s = 0; s < strategyCount; s++) {
            LayerTime t = costs.layerTime().of(layers.get(s), b, c);
            withSync[s] = t.totalS();
            withoutSync[s] = t.noCommS();
        }
        // GPipe keeps every micro-batch's activations on every stage: one row of weights serves all stages
        boolean gpipe = settings.cost().pipelineType() == PipelineType.GPIPE;
        int[][] weightByStage = new int[pp][];
        for (int j = 0; j < pp; j++) {
            if (gpipe && j > 0) {
                weightByStage[j] = weightByStage[0];
                continue;
            }
            weightByStage[j] = new int[strategyCount];
            for (int s = 0; s < strategyCount; s++) weightByStage[j][s] = costs.layerMemory().weightMb(layers.get(s), b, c, j);
        }
        double[][] transition = costs.transition().matrix(layers, b, c, pp);
        double[][] noTransition = new double[strategyCount][strategyCount];
        int buffer = (int) costs.globalBuffer().mb(b, c, pp, task.bufferTp(), task.mode());

        int e = vocabulary.size();
        VocabularyTime[] vocabularyTimes = new VocabularyTime[e];
        int[][] vocabularyMb = new int[e][pp];
        int[] largestBudget = new int[pp];
        Arrays.fill(largestBudget, -1);
        for (int v = 0; v < e; v++) {
            vocabularyTimes[v] = costs.vocabularyTime().of(vocabulary.get(v), b, c);
            double[] mb = costs.vocabularyMemory().perStageMb(vocabulary.get(v), b, c);
            for (int i = 0; i < pp; i++) {
                vocabularyMb[v][i] = (int) Math.ceil(mb[i]);
                largestBudget[i] = Math.max(largestBudget[i], budget - (vocabularyMb[v][i] + buffer));
            }
        }
        // per stage, every vocabulary's budget at once: one build of its step functions answers them all (a negative
        // budget, none)
        StageKnapsack.Solution[][] byStage = new StageKnapsack.Solution[pp][];
        for (int i = 0, first = 0; i < pp; first += stageLayers[i], i++) {
            if (largestBudget[i] < 0) continue;
            int count = stageLayers[i];
            int[][] w = new int[count][];
            double[][] t = new double[count][];
            double[][][] x = new double[count][][];
            for (int l = 0; l < count; l++) {
                w[l] = weightByStage[i];
                t[l] = withSync;
                x[l] = first + l == 0 ? noTransition : transition;
            }
            int[] stageBudgets = new int[e];
            for (int v = 0; v < e; v++) stageBudgets[v] = budget - (vocabularyMb[v][i] + buffer);
            byStage[i] = new StageKnapsack(w, t, x, largestBudget[i]).solve(count, stageBudgets, cancelled);
        }
        double bestTime = Double.POSITIVE_INFINITY;
        TaskOutcome best = null;
        for (int v = 0; v < e; v++) {
            int[] remain = new int[pp];
            int[][] parts = new int[pp][];
            boolean feasible = true;
            for (int i = 0; i < pp && feasible; i++) {
                StageKnapsack.Solution sol = byStage[i] == null ? null : byStage[i][v];
                if (sol == null || !sol.feasible()) {
                    feasible = false;
                    break;
                }
                parts[i] = sol.strategyIndex();
                remain[i] = sol.remainingMb();
            }
            if (!feasible) continue;
            List<HybridStrategy> plan = new ArrayList<>();
            double[] planWith = new double[settings.cost().layerCount()];
            double[] planWithout = new double[planWith.length];
            int at = 0;
            for (int[] part : parts) {
                for (int s : part) {
                    plan.add(layers.get(s));
                    planWith[at] = withSync[s];
                    planWithout[at++] = withoutSync[s];
                }
            }
            double cost = PipelineCost.iterationS(planWith, planWithout, stageLayers, vocabularyTimes[v].withoutSyncS(), c);
            if (bestTime > cost) {
                bestTime = cost;
                int[] used = new int[pp];
                for (int i = 0; i < pp; i++) used[i] = budget - remain[i] + settings.cacheReserveMb();
                best = new TaskOutcome(task, 0, cost, used, remain, vocabulary.get(v), plan, stageLayers, Integer.MAX_VALUE);
            }
        }
        // the lightest plan: every layer at its lightest strategy on its stage, under the vocabulary that suits it best
        long[] lightestLayers = new long[pp];
        for (int i = 0; i < pp; i++) lightestLayers[i] = (long) stageLayers[i] * Arrays.stream(weightByStage[i]).min().orElseThrow();
        long least = Long.MAX_VALUE;
        for (int v = 0; v < e; v++) {
            long worst = 0;
            for (int i = 0; i < pp; i++) worst = Math.max(worst, lightestLayers[i] + vocabularyMb[v][i] + buffer);
            least = Math.min(least, worst);
        }
        return finish(task, best, stageLayers, least);
    }

    private TaskOutcome coarse(SearchTask task, List<HybridStrategy> layers, int[] stageLayers) {
        int pp = task.pp();
        int b = task.batch();
        int c = task.chunks();
        int budget = settings.budgetMb();
        int buffer = (int) Math.ceil(costs.globalBuffer().mb(b, c, pp, task.bufferTp(), task.mode()));
        double bestTime = Double.POSITIVE_INFINITY;
        TaskOutcome best = null;
        int n = settings.cost().layerCount();
        long least = Long.MAX_VALUE;
        for (HybridStrategy s : layers) {
            HybridStrategy e = s.toVocabulary();
            double[] vocabularyWithout = costs.vocabularyTime().of(e, b, c).withoutSyncS();
            double[] vocabularyMb = costs.vocabularyMemory().perStageMb(e, b, c);
            int[] used = new int[pp];
            boolean fits = true;
            long worst = 0;
            for (int i = 0; i < pp; i++) {
                used[i] = buffer + (int) Math.ceil(vocabularyMb[i]) + stageLayers[i] * costs.layerMemory().weightMb(s, b, c, i);
                worst = Math.max(worst, used[i]);
                if (used[i] > budget) fits = false;
            }
            least = Math.min(least, worst);
            if (!fits) continue;
            LayerTime t = costs.layerTime().of(s, b, c);
            double[] with = new double[n];
            double[] without = new double[n];
            Arrays.fill(with, t.totalS());
            Arrays.fill(without, t.noCommS());
            double cost = PipelineCost.iterationS(with, without, stageLayers, vocabularyWithout, c);
            if (bestTime > cost) {
                bestTime = cost;
                int[] memoryUsed = new int[pp];
                int[] remain = new int[pp];
                for (int i = 0; i < pp; i++) {
                    memoryUsed[i] = used[i] + settings.cacheReserveMb();
                    remain[i] = budget - used[i];
                }
                best = new TaskOutcome(task, 0, cost, memoryUsed, remain, e, java.util.Collections.nCopies(n, s), stageLayers, Integer.MAX_VALUE);
            }
        }
        return finish(task, best, stageLayers, least);
    }

    /** The task's outcome from its best candidate (null: nothing fits), with the least memory any of its plans needs. */
    private static TaskOutcome finish(SearchTask task, TaskOutcome best, int[] stageLayers, long leastNeedMb) {
        if (best == null) return TaskOutcome.empty(task, 0.0, stageLayers, leastNeedMb);
        double throughput = Double.isInfinite(best.iterationTimeS()) ? 0.0 : task.batch() / best.iterationTimeS();
        return new TaskOutcome(task, throughput, best.iterationTimeS(), best.memoryUsedMb(), best.memoryRemainMb(), best.vocabulary(),
                best.layers(), stageLayers, leastNeedMb);
    }
}
