package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSearch;
import studio.engine.model.ModelDescription;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PlanValidator;
import studio.engine.plan.RuntimeRules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Galvatron v2's parallelism search (search-engine spec §6) on the engine's cost model, with the same task order,
 * filters and tie-breaks, and a studio mode that searches better among plans Galvatron's runtime can build. It runs
 * the task groups ({@link TaskEnumeration}) on worker threads; each sub-search (§6.3) filters the strategies and asks
 * {@link DegreeSearch} for each pipeline degree's best plan, which reads {@link LayerTables}, solves
 * {@link StageKnapsack}s and ranks by {@link PipelineRanking}.
 */
public final class SearchEngine {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final CostModel costModel;
    private final CostModelOptions costOptions;
    private final SearchOptions options;
    private final StrategySpace.Generated space;
    private final ModelDescription model;
    private final int world;
    private final boolean studio;
    private final TaskEnumeration tasks;
    private final DegreeSearch degrees;

    public SearchEngine(CostModel costModel, SearchOptions options) {
        this.costModel = costModel;
        this.costOptions = costModel.options();
        this.options = options;
        this.model = costModel.profiles().model();
        this.world = costOptions.worldSize();
        if (options.recommendMinBsz()) {
            throw new IllegalArgumentException("--recommend_min_bsz 1 crashes in Galvatron v2 (TypeError, quirk Q14); give --min_bsz "
                    + "or --settle_bsz instead");
        }
        if (!PlanValidator.powerOfTwo(world)) {
            throw new IllegalArgumentException("the search needs a power-of-two number of GPUs, got " + world);
        }
        this.studio = options.mode() == SearchMode.STUDIO;
        // decided once: the search asks for every division it tries
        boolean[] runnableVocabulary = new boolean[world + 1];
        for (int d = 1; d <= world; d++) {
            runnableVocabulary[d] = RuntimeRules.vocabulary(d, model, costOptions.sequenceParallel()).isEmpty();
        }
        StrategySpace.Generated g = StrategySpace.generate(world, options, costOptions.spSpace());
        if (studio) {
            List<LayerStrategy> runnable = g.strategies().stream().filter(this::runnable).toList();
            g = new StrategySpace.Generated(runnable, g.disableDp(), g.disableTp(), g.disablePp(), g.disableSdp(), g.disableCkpt(),
                    g.disableTpConsec());
        }
        this.space = g;
        this.tasks = new TaskEnumeration(costOptions, options, space, studio);
        // about 14 bytes a step: 24M steps keep the shared knapsacks near 350 MB at most
        KnapsackCache shared = new KnapsackCache(24_000_000L);
        this.degrees = new DegreeSearch(costModel, options, studio,
                k -> !studio || (k >= 1 && k <= world && runnableVocabulary[k]), shared);
    }

    public StrategySpace.Generated space() { return space; }

    public CostModel costModel() { return costModel; }

    public SearchOptions options() { return options; }

    /** Rules of Galvatron's runtime a layer strategy alone can break (profiler-runtime spec §0 and §4.3). */
    private boolean runnable(LayerStrategy s) {
        return s.pp() <= model.totalLayers() && RuntimeRules.layer(s, world / s.pp(), model, costOptions.sequenceParallel(), -1).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ search

    public SearchResult search() {
        return search(SearchListener.NONE, () -> false);
    }

    /**
     * Runs the search. Groups of tasks run on {@code workers} threads; results are combined in Galvatron's order,
     * so the outcome does not depend on the number of workers.
     *
     * @throws CancellationException when {@code cancelled} turns true
     */
    public SearchResult search(SearchListener listener, BooleanSupplier cancelled) {
        List<TaskResult> all = new ArrayList<>();
        return search(listener, cancelled, all::add, all);
    }

    /**
     * The same, handing each sub-search to {@code stream} in Galvatron's order as soon as it and every one before it
     * are done, and keeping none of them: a default batch sweep (half a million sub-searches) then needs the memory of
     * the few groups in flight, not of all of them. The result's task list is empty.
     */
    public SearchResult search(SearchListener listener, BooleanSupplier cancelled, Consumer<TaskResult> stream) {
        return search(listener, cancelled, stream, List.of());
    }

    /**
     * A batch sweep leaves out the pipeline degrees of a group that cannot beat the best plan of the groups at least
     * this many places before it in Galvatron's order: a fixed distance, so that what is left out depends neither on
     * the workers nor on their timing (the groups in flight never reach back that far), and the result is the same.
     */
    static final int INCUMBENT_LAG = 256;

    /** Whether every degree is searched (else a galvatron-v2 sweep and every studio search leave out hopeless ones). */
    private boolean everyDegree;
    /** Studio mode: how many distinct plans of each batch size the caller lists (0: only the search's best). */
    private int listedPerBatch;

    /** Searches every degree of every sub-search: nothing is left out, in either mode. */
    public SearchEngine searchingEveryDegree() {
        everyDegree = true;
        return this;
    }

    /**
     * For a caller that lists each batch size's {@code plans} best distinct plans (the studio's result list), which
     * the search must then find exactly, though they cannot all be the search's best. A galvatron-v2 search then
     * searches every degree; a studio search leaves out only the degrees that cannot make a batch size's list.
     */
    public SearchEngine listingPerBatch(int plans) {
        if (plans < 1) throw new IllegalArgumentException("a list holds at least one plan, got " + plans);
        if (studio) listedPerBatch = plans;
        else everyDegree = true;
        return this;
    }

    private SearchResult search(SearchListener listener, BooleanSupplier cancelled, Consumer<TaskResult> stream, List<TaskResult> kept) {
        long t0 = System.nanoTime();
        List<TaskGroup> groups = tasks.groups();
        // only a sweep: a single batch size's log keeps every sub-search's optimum, as Galvatron's does
        boolean sweep = !everyDegree && !studio && StrategySpace.batchSizes(options).size() > 1;
        // [g]: the best selection throughput of groups 0..g-1, written as each is delivered
        double[] bestBefore = new double[groups.size() + 1];
        int[] delivered = {0};
        int perGroup = tasks.vocabularyUlysses().size() * tasks.embeddingZero3().size();
        SearchProgress progress = new SearchProgress(listener, groups.size() * perGroup);
        MemoryShortfall shortfall = new MemoryShortfall(model);
        // the first strictly fastest in Galvatron's order, as its selection loop keeps it
        TaskResult[] best = new TaskResult[1];
        double[] bestThroughput = {0};
        int[] count = {0};
        int[] skipped = {0};
        Consumer<List<TaskResult>> deliver = results -> {
            for (TaskResult r : results) {
                count[0]++;
                for (PpCandidate c : r.candidates()) if (!c.searched()) skipped[0]++;
                double throughput = r.rankThroughput();
                if (throughput > bestThroughput[0]) {
                    bestThroughput[0] = throughput;
                    best[0] = r;
                }
                stream.accept(r);
            }
            delivered[0]++;
            bestBefore[delivered[0]] = bestThroughput[0];
        };
        // read when a group starts: by then every group INCUMBENT_LAG places before it has been delivered
        ToDoubleFunction<TaskGroup> incumbent = g -> sweep && g.index() >= INCUMBENT_LAG ? bestBefore[g.index() - INCUMBENT_LAG] : 0;
        int workers = Math.max(1, options.workers());
        if (studio && !everyDegree) {
            searchByBound(groups, workers, cancelled, shortfall, progress, deliver);
        } else if (workers == 1 || groups.size() == 1) {
            for (TaskGroup g : groups) {
                if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                deliver.accept(runGroup(g, incumbent.applyAsDouble(g), cancelled, shortfall, progress));
            }
        } else {
            runInParallel(groups, Math.min(Math.min(workers, groups.size()), INCUMBENT_LAG / 4), g -> {
                double known = incumbent.applyAsDouble(g);
                return () -> runGroup(g, known, cancelled, shortfall, progress);
            }, deliver);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        TaskResult winner = best[0];
        if (winner == null || !winner.best().feasible()) {
            return new SearchResult(null, null, kept, shortfall.minimumGb(), shortfall.mb(), shortfall.describe(), ms, count[0], skipped[0]);
        }
        ParallelPlan plan = winner.plan(costOptions.pipelineType(), costOptions.defaultDpType());
        return new SearchResult(plan, winner, kept, 0, 0, null, ms, count[0], skipped[0]);
    }

    /** The studio's search ({@link BoundOrderedSearch}), a batch size at a time, delivered in Galvatron's order. */
    private void searchByBound(List<TaskGroup> groups, int workers, BooleanSupplier cancelled, MemoryShortfall shortfall,
                               SearchProgress progress, Consumer<List<TaskResult>> deliver) {
        ListThreshold threshold = listedPerBatch > 0 ? new ListThreshold(true, listedPerBatch) : new ListThreshold(false, 1);
        ExecutorService pool = workers > 1 ? SearchWorkers.pool(workers) : null;
        try {
            BoundOrderedSearch ordered = new BoundOrderedSearch(task -> setUp(task, true), degrees::search, threshold, pool, workers);
            for (int from = 0; from < groups.size(); ) {
                int to = from;
                while (to < groups.size() && groups.get(to).globalBatch() == groups.get(from).globalBatch()) to++;
                List<List<List<DegreeSearch.SubSearch>>> wave = new ArrayList<>();
                for (TaskGroup g : groups.subList(from, to)) wave.add(subSearches(g, 0, cancelled, shortfall));
                for (List<TaskResult> results : ordered.run(wave, cancelled, progress)) deliver.accept(results);
                from = to;
            }
        } finally {
            if (pool != null) pool.shutdownNow();
        }
    }

    /**
     * Runs the groups on {@code threads} threads and delivers their results in the groups' order; {@code run} is asked
     * for a group's work when it is submitted (at most {@code INCUMBENT_LAG} groups ahead of the next delivered).
     */
    private static void runInParallel(List<TaskGroup> groups, int threads, Function<TaskGroup, Callable<List<TaskResult>>> run,
                                      Consumer<List<TaskResult>> deliver) {
        ExecutorService pool = SearchWorkers.pool(threads);
        try {
            // a bounded window of groups ahead of the one delivered next: finished groups wait for their turn
            ArrayDeque<Future<List<TaskResult>>> window = new ArrayDeque<>();
            int next = 0;
            // as far ahead as the incumbent allows (a group submitted is read its incumbent INCUMBENT_LAG places
            // back, delivered by then): groups differ in cost by orders of magnitude in a sweep, and a short window
            // left the other workers idle behind one slow group (a 1,280-size sweep on 2 cores: 7.3 s with 8, 6.4 s)
            int ahead = INCUMBENT_LAG;
            while (next < groups.size() || !window.isEmpty()) {
                while (next < groups.size() && window.size() < ahead) {
                    TaskGroup g = groups.get(next++);
                    window.add(pool.submit(run.apply(g)));
                }
                deliver.accept(SearchWorkers.await(window.poll()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<TaskResult> runGroup(TaskGroup group, double incumbent, BooleanSupplier cancelled, MemoryShortfall shortfall, SearchProgress progress) {
        List<TaskResult> out = new ArrayList<>();
        for (List<DegreeSearch.SubSearch> pair : subSearches(group, incumbent, cancelled, shortfall)) {
            for (DegreeSearch.SubSearch task : pair) {
                if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                TaskResult r = searchTask(task);
                if (r != null) {
                    out.add(r);
                    progress.found(r.throughput());
                }
            }
            progress.step();
        }
        return out;
    }

    /**
     * A group's sub-searches in Galvatron's order, one list per (vsp, embed_sdp) pair (a progress step each); they
     * share the group's knapsacks and layer tables.
     */
    List<List<DegreeSearch.SubSearch>> subSearches(TaskGroup group, double incumbent, BooleanSupplier cancelled, MemoryShortfall shortfall) {
        // concurrent: the studio's search may run two degrees of one group at once
        Map<String, StageKnapsack> knapsacks = new ConcurrentHashMap<>();
        Map<List<LayerStrategy>, LayerTables> tables = new HashMap<>();
        List<List<DegreeSearch.SubSearch>> out = new ArrayList<>();
        for (boolean vocabularyUlysses : tasks.vocabularyUlysses()) {
            for (boolean embeddingZero3 : tasks.embeddingZero3()) {
                List<DegreeSearch.SubSearch> pair = new ArrayList<>();
                for (SpSearch spSearch : tasks.spSearches()) {
                    if (!TaskEnumeration.consistent(spSearch, vocabularyUlysses)) continue;
                    pair.add(new DegreeSearch.SubSearch(group, vocabularyUlysses, embeddingZero3, spSearch, knapsacks, tables, cancelled,
                            shortfall, incumbent));
                }
                out.add(pair);
            }
        }
        return out;
    }

    /** Galvatron's {@code search_for_chunk} (§6.3) for one sp_search value; null when no strategy is left. */
    private TaskResult searchTask(DegreeSearch.SubSearch task) {
        TaskSetup setup = setUp(task, false);
        if (setup == null) return null;
        List<PpCandidate> candidates = new ArrayList<>();
        for (DegreeSearch.Degree degree : setup.degrees()) candidates.add(degrees.search(degree));
        return setup.result(candidates);
    }

    /** One sub-search set up: its pipeline degrees in ascending order, each with what its search reads. */
    record TaskSetup(DegreeSearch.SubSearch task, List<DegreeSearch.Degree> degrees) {
        /** The sub-search's result from its degrees' candidates (in the degrees' order): the first of least rank wins. */
        TaskResult result(List<PpCandidate> candidates) {
            TaskGroup g = task.group();
            PpCandidate best = null;
            double bestCost = INF;
            for (PpCandidate candidate : candidates) {
                if (bestCost > candidate.rankS()) {
                    bestCost = candidate.rankS();
                    best = candidate;
                }
            }
            if (best == null) best = new PpCandidate(-1, List.of(), INF, List.of(-1), List.of(-1), -1, null);
            double throughput = best.costS() < INF ? g.globalBatch() / best.costS() : 0.0;
            // the other candidates are kept for the log only (their costs and memories): without their per-layer plans, a
            // sweep of half a million sub-searches keeps a fifth of the memory
            List<PpCandidate> kept = new ArrayList<>(candidates.size());
            for (PpCandidate candidate : candidates) kept.add(candidate == best ? candidate : candidate.summary());
            return new TaskResult(g.globalBatch(), g.chunks(), g.minTp(), g.maxTp(), task.vocabularyUlysses(), task.embeddingZero3(),
                    task.spSearch(), best, kept, throughput);
        }
    }

    /**
     * The strategies and pipeline degrees of one sub-search (§6.3), each degree set up ({@code bounded}: with its
     * bound, see {@link DegreeSearch#prepare}); null when no strategy is left.
     */
    TaskSetup setUp(DegreeSearch.SubSearch task, boolean bounded) {
        TaskGroup g = task.group();
        int batch = g.globalBatch();
        int chunks = g.chunks();
        int minTp = g.minTp();
        List<LayerStrategy> allowed = new ArrayList<>();
        for (LayerStrategy x : space.strategies()) {
            if (x.tp() < minTp || x.tp() > g.maxTp()) continue;
            if (chunks > batch / (world / x.pp() / minTp)) continue;
            if (!task.spSearch().allows(x)) continue;
            allowed.add(x);
        }
        if (allowed.isEmpty()) return null;
        TreeSet<Integer> pps = new TreeSet<>();
        for (LayerStrategy x : allowed) {
            int pp = x.pp();
            if (pp * minTp <= world && batch % (world / pp / minTp) == 0) pps.add(pp);
        }
        if (pps.isEmpty()) return null;
        Map<Integer, Integer> microBatchSize = new HashMap<>();
        for (int pp : pps) microBatchSize.put(pp, (batch / (world / pp / minTp) + chunks - 1) / chunks);
        // only the strategies whose own chunk count is the task's
        List<LayerStrategy> strict = new ArrayList<>();
        for (LayerStrategy x : allowed) {
            if (!pps.contains(x.pp())) continue;
            int localBatch = batch / (world / x.pp() / minTp);
            if (chunks == (int) Math.ceil((double) localBatch / microBatchSize.get(x.pp()))) strict.add(x);
        }
        if (strict.isEmpty()) return null;
        TreeSet<Integer> ppPresent = new TreeSet<>();
        for (LayerStrategy x : strict) ppPresent.add(x.pp());
        List<DegreeSearch.Degree> setUp = new ArrayList<>();
        for (int pp : ppPresent) {
            if (pp * minTp > world) continue;
            if (batch % (world / (pp * minTp)) != 0) continue;
            List<LayerStrategy> ofDegree = strict.stream().filter(x -> x.pp() == pp).toList();
            setUp.add(degrees.prepare(task, ofDegree, pp, microBatchSize.get(pp), bounded));
        }
        return new TaskSetup(task, setUp);
    }

    /** Distinct pipeline degrees, for logs. */
    static List<Integer> ppDegrees(List<LayerStrategy> s) {
        return new ArrayList<>(new LinkedHashSet<>(s.stream().map(LayerStrategy::pp).toList()));
    }
}
