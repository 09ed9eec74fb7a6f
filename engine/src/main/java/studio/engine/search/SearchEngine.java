package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.OtherTime;
import studio.engine.cost.SpSearch;
import studio.engine.cost.SpSpace;
import studio.engine.model.ModelDescription;
import studio.engine.plan.PlanValidator;
import studio.engine.plan.RuntimeRules;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;
import studio.engine.schedule.PipelineSchedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Galvatron v2's parallelism search (search-engine spec §6) on the engine's cost model, with the same task order,
 * filters and tie-breaks, and a studio mode that searches better among plans Galvatron's runtime can build.
 */
public final class SearchEngine {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final CostModel cm;
    private final CostModelOptions co;
    private final SearchOptions so;
    private final StrategySpace.Generated space;
    private final ModelDescription model;
    private final int world;
    private final int budget;
    private final int cache;
    /** Vocabulary TP degrees (by index) the runtime can run. */
    private final boolean[] runnableVocab;
    private final boolean studio;
    /** About 14 bytes a step: 24M steps keep the cache near 350 MB at most. */
    private final KnapsackCache shared = new KnapsackCache(24_000_000L);

    public SearchEngine(CostModel costModel, SearchOptions options) {
        this.cm = costModel;
        this.co = costModel.options();
        this.so = options;
        this.model = costModel.profiles().model();
        this.world = co.worldSize();
        if (options.recommendMinBsz()) {
            throw new IllegalArgumentException("--recommend_min_bsz 1 crashes in Galvatron v2 (TypeError, quirk Q14); give --min_bsz "
                    + "or --settle_bsz instead");
        }
        if (!PlanValidator.powerOfTwo(world)) {
            throw new IllegalArgumentException("the search needs a power-of-two number of GPUs, got " + world);
        }
        this.studio = options.mode() == SearchMode.STUDIO;
        // decided once: the search asks for every division it tries
        this.runnableVocab = new boolean[world + 1];
        for (int d = 1; d <= world; d++) runnableVocab[d] = RuntimeRules.vocabulary(d, model, co.sequenceParallel()).isEmpty();
        StrategySpace.Generated g = StrategySpace.generate(world, options, co.spSpace());
        if (studio) {
            List<LayerStrategy> runnable = g.strategies().stream().filter(this::runnable).toList();
            g = new StrategySpace.Generated(runnable, g.disableDp(), g.disableTp(), g.disablePp(), g.disableSdp(), g.disableCkpt(),
                    g.disableTpConsec());
        }
        this.space = g;
        this.budget = co.usableMemoryMb();
        this.cache = co.cacheReserveMb();
    }

    public StrategySpace.Generated space() { return space; }

    public CostModel costModel() { return cm; }

    public SearchOptions options() { return so; }

    /** Rules of Galvatron's runtime a layer strategy alone can break (profiler-runtime spec §0 and §4.3). */
    private boolean runnable(LayerStrategy s) {
        return s.pp() <= model.totalLayers() && RuntimeRules.layer(s, world / s.pp(), model, co.sequenceParallel(), -1).isEmpty();
    }

    private boolean vocabRunnable(int k) {
        return !studio || (k >= 1 && k <= world && runnableVocab[k]);
    }

    // ------------------------------------------------------------------------------------------------ tasks

    private record Group(int index, int globalBatch, int chunks, int minTp, int maxTp) {
    }

    private List<Group> groups() {
        List<Integer> minTps = new ArrayList<>();
        if (co.disableVtp()) {
            minTps.add(1);
        } else {
            for (int x = 1; x <= world && x <= so.maxTpDeg(); x *= 2) minTps.add(x);
        }
        List<Integer> maxTps;
        if (!co.globalMemoryBuffer()) {
            maxTps = List.of(so.maxTpDeg());
        } else if (studio && co.disableVtp()) {
            // Galvatron ties the TP range to the vocab switch (quirk Q7); the studio searches every layer TP degree.
            List<Integer> all = new ArrayList<>();
            for (int x = 1; x <= world && x <= so.maxTpDeg(); x *= 2) all.add(x);
            maxTps = all;
        } else {
            maxTps = minTps;
        }
        List<Group> out = new ArrayList<>();
        for (int b : StrategySpace.batchSizes(so)) {
            List<Integer> chunks = new ArrayList<>();
            if (so.settleChunk() != -1) {
                chunks.add(so.settleChunk());
            } else {
                for (int c = 1; c <= b; c++) chunks.add(c);
            }
            for (int c : chunks) {
                if (c < 1 || b % c != 0) continue;
                for (int tau : minTps) {
                    for (int big : maxTps) {
                        if (tau > big) continue;
                        out.add(new Group(out.size(), b, c, tau, big));
                    }
                }
            }
        }
        return out;
    }

    private List<SpSearch> spList() {
        if (co.spSpace() == SpSpace.TP) return List.of(SpSearch.MEGATRON_ONLY);
        if (co.spSpace() == SpSpace.SP) return List.of(SpSearch.ULYSSES_ONLY);
        return co.globalMemoryBuffer() ? List.of(SpSearch.MEGATRON_ONLY, SpSearch.ULYSSES_ONLY, SpSearch.EITHER)
                : List.of(SpSearch.MEGATRON_ONLY, SpSearch.EITHER);
    }

    /** Whether the vocabulary layers use Ulysses ({@code vsp}), in Galvatron's order: off, then on. */
    private List<Boolean> vspList() {
        return co.spSpace().usesCollectiveTables() ? List.of(false, true) : List.of(false);
    }

    /** Whether the vocabulary layers are ZeRO-3 sharded ({@code embed_sdp}), off then on. */
    private List<Boolean> embedSdpList() {
        return space.disableSdp() ? List.of(false) : List.of(false, true);
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
    public SearchResult search(SearchListener listener, BooleanSupplier cancelled, java.util.function.Consumer<TaskResult> stream) {
        return search(listener, cancelled, stream, List.of());
    }

    private SearchResult search(SearchListener listener, BooleanSupplier cancelled, java.util.function.Consumer<TaskResult> stream,
                                List<TaskResult> kept) {
        long t0 = System.nanoTime();
        List<Group> groups = groups();
        int perGroup = vspList().size() * embedSdpList().size();
        int total = groups.size() * perGroup;
        AtomicInteger done = new AtomicInteger();
        AtomicLong bestBits = new AtomicLong(Double.doubleToLongBits(0));
        MemoryNeed need = new MemoryNeed();
        // the first strictly fastest in Galvatron's order, as its selection loop keeps it
        TaskResult[] best = new TaskResult[1];
        double[] bestThroughput = {0};
        int[] count = {0};
        java.util.function.Consumer<List<TaskResult>> deliver = rs -> {
            for (TaskResult r : rs) {
                count[0]++;
                double th = r.best().rankS() < INF ? r.globalBatch() / r.best().rankS() : 0.0;
                if (th > bestThroughput[0]) {
                    bestThroughput[0] = th;
                    best[0] = r;
                }
                stream.accept(r);
            }
        };
        int workers = Math.max(1, so.workers());
        if (workers == 1 || groups.size() == 1) {
            for (Group g : groups) {
                if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                deliver.accept(runGroup(g, cancelled, need, listener, done, total, bestBits));
            }
        } else {
            int threads = Math.min(workers, groups.size());
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "galvatron-search");
                t.setDaemon(true);
                // a task's error reaches the caller through its future (the CLI words a full heap); the thread's own
                // default handler would print a second, raw stack trace of it
                t.setUncaughtExceptionHandler((thread, e) -> { });
                return t;
            });
            try {
                // a bounded window of groups ahead of the one delivered next: finished groups wait for their turn
                java.util.ArrayDeque<Future<List<TaskResult>>> window = new java.util.ArrayDeque<>();
                int next = 0;
                int ahead = 4 * threads;
                while (next < groups.size() || !window.isEmpty()) {
                    while (next < groups.size() && window.size() < ahead) {
                        Group g = groups.get(next++);
                        window.add(pool.submit(() -> runGroup(g, cancelled, need, listener, done, total, bestBits)));
                    }
                    try {
                        deliver.accept(window.poll().get());
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException re) throw re;
                        if (e.getCause() instanceof Error err) throw err;
                        throw new IllegalStateException(e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CancellationException("search interrupted");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        TaskResult winner = best[0];
        if (winner == null || !winner.best().feasible()) {
            return new SearchResult(null, null, kept, need.minimumGb(co), need.mb(), need.describe(), ms, count[0]);
        }
        ParallelPlan plan = winner.plan(co.pipelineType(), co.defaultDpType());
        return new SearchResult(plan, winner, kept, 0, 0, null, ms, count[0]);
    }

    private List<TaskResult> runGroup(Group g, BooleanSupplier cancelled, MemoryNeed need, SearchListener listener,
                                      AtomicInteger done, int total, AtomicLong bestBits) {
        Map<String, StageKnapsack> knapsacks = new HashMap<>();
        List<TaskResult> out = new ArrayList<>();
        for (boolean vsp : vspList()) {
            for (boolean es : embedSdpList()) {
                for (SpSearch sp : spList()) {
                    if ((sp == SpSearch.MEGATRON_ONLY && vsp) || (sp == SpSearch.ULYSSES_ONLY && !vsp)) continue;
                    if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                    TaskResult r = searchTask(g, vsp, es, sp, knapsacks, cancelled, need);
                    if (r != null) {
                        out.add(r);
                        double th = r.throughput();
                        bestBits.accumulateAndGet(Double.doubleToLongBits(th),
                                (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);
                    }
                }
                listener.progress(done.incrementAndGet(), total, Double.longBitsToDouble(bestBits.get()));
            }
        }
        return out;
    }

    /** Galvatron's {@code search_for_chunk} for one sp_search value; null when no strategy is left. */
    private TaskResult searchTask(Group g, boolean vsp, boolean es, SpSearch spSearch, Map<String, StageKnapsack> knapsacks,
                                  BooleanSupplier cancelled, MemoryNeed need) {
        int b = g.globalBatch();
        int c = g.chunks();
        int tau = g.minTp();
        List<LayerStrategy> s = new ArrayList<>();
        for (LayerStrategy x : space.strategies()) {
            if (x.tp() < tau || x.tp() > g.maxTp()) continue;
            if (c > b / (world / x.pp() / tau)) continue;
            if (!spSearch.allows(x)) continue;
            s.add(x);
        }
        if (s.isEmpty()) return null;
        TreeSet<Integer> pps = new TreeSet<>();
        for (LayerStrategy x : s) {
            int p = x.pp();
            if (p * tau <= world && b % (world / p / tau) == 0) pps.add(p);
        }
        if (pps.isEmpty()) return null;
        Map<Integer, Integer> mbsz = new HashMap<>();
        for (int p : pps) mbsz.put(p, (b / (world / p / tau) + c - 1) / c);
        List<LayerStrategy> strict = new ArrayList<>();
        for (LayerStrategy x : s) {
            if (!pps.contains(x.pp())) continue;
            int lp = b / (world / x.pp() / tau);
            if (c == (int) Math.ceil((double) lp / mbsz.get(x.pp()))) strict.add(x);
        }
        if (strict.isEmpty()) return null;
        TreeSet<Integer> ppPresent = new TreeSet<>();
        for (LayerStrategy x : strict) ppPresent.add(x.pp());
        List<PpCandidate> candidates = new ArrayList<>();
        PpCandidate best = null;
        double bestCost = INF;
        for (int p : ppPresent) {
            if (p * tau > world) continue;
            if (b % (world / (p * tau)) != 0) continue;
            List<LayerStrategy> ss = strict.stream().filter(x -> x.pp() == p).toList();
            PpCandidate cand = fitPp(g, vsp, es, spSearch, ss, p, mbsz.get(p), knapsacks, cancelled, need);
            candidates.add(cand);
            if (bestCost > cand.rankS()) {
                bestCost = cand.rankS();
                best = cand;
            }
        }
        if (best == null) best = new PpCandidate(-1, List.of(), INF, List.of(-1), List.of(-1), -1, null);
        double throughput = best.costS() < INF ? b / best.costS() : 0.0;
        // the other candidates are kept for the log only (their costs and memories): without their per-layer plans, a
        // sweep of half a million sub-searches keeps a fifth of the memory
        List<PpCandidate> kept = new ArrayList<>(candidates.size());
        for (PpCandidate cand : candidates) kept.add(cand == best ? cand : cand.summary());
        return new TaskResult(b, c, tau, g.maxTp(), vsp, es, spSearch, best, kept, throughput);
    }

    private PpCandidate infeasible(int p, List<Integer> division) {
        List<Integer> remain = new ArrayList<>();
        List<Integer> mem = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            remain.add(-1);
            mem.add(-1 + cache);
        }
        return new PpCandidate(p, division, INF, remain, mem, -1, null);
    }

    // ------------------------------------------------------------------------------------------------ one pp degree

    /** Layer tables of one pipeline degree within one task. */
    private final class Tables {
        final List<LayerStrategy> ss;
        final int p;
        final int mbsz;
        final double chunks;
        final double[][] time;      // [type][s]
        final double[][] timeNoComm; // [type][s]
        final int[][][] weight;     // [memTable][type][s]
        final double[][][][] x;     // [type][s'][s]
        final int types;

        Tables(List<LayerStrategy> ss, int p, int b, int mbsz, int tau) {
            this.ss = ss;
            this.p = p;
            this.mbsz = mbsz;
            this.types = model.layerTypes().size();
            int lp = b / (world / p / tau);
            this.chunks = Math.ceil((double) lp / mbsz);
            double gbs = b / chunks;
            int ns = ss.size();
            time = new double[types][ns];
            timeNoComm = new double[types][ns];
            x = new double[types][][][];
            for (int t = 0; t < types; t++) {
                for (int i = 0; i < ns; i++) {
                    var lt = cm.layerTime(ss.get(i), t, gbs);
                    time[t][i] = lt.totalS();
                    timeNoComm[t][i] = lt.noCommS();
                }
                x[t] = new double[][][] {cm.transitionCost(ss, t, mbsz, tau)};
            }
            int tables = co.pipelineType() == PipelineType.PIPEDREAM_FLUSH ? p : 1;
            weight = new int[tables][types][ns];
            for (int j = 0; j < tables; j++) {
                for (int t = 0; t < types; t++) {
                    for (int i = 0; i < ns; i++) {
                        weight[j][t][i] = (int) Math.ceil(cm.layerMemory(ss.get(i), t, b, mbsz, tau, j).totalMb());
                    }
                }
            }
        }

        int memTable(int stage) { return weight.length == 1 ? 0 : stage; }
    }

    private PpCandidate fitPp(Group g, boolean vsp, boolean es, SpSearch spSearch, List<LayerStrategy> ss, int p, int mbsz,
                              Map<String, StageKnapsack> knapsacks, BooleanSupplier cancelled, MemoryNeed need) {
        int total = model.totalLayers();
        List<Integer> evenDiv = model.layerTypes().size() == 1 ? PipelineDivision.even(total, p)
                : PipelineDivision.memoryBalanced(cm, p, g.globalBatch(), mbsz);
        if (p > total || evenDiv.stream().anyMatch(d -> d < 1)) return infeasible(p, evenDiv);
        Tables tb = new Tables(ss, p, g.globalBatch(), mbsz, g.minTp());
        Map<Integer, double[]> other = cm.otherMemory(ss.get(0), g.globalBatch(), mbsz, g.minTp(), g.maxTp(), vsp, es);
        OtherTime ot = cm.otherTime(mbsz, p, vsp, es, g.minTp(), g.maxTp());
        double buffer = so.fineGrained() ? cm.globalBufferMb(mbsz, g.minTp(), g.maxTp(), spSearch)
                : cm.globalBufferCoarseMb(mbsz, g.minTp(), g.maxTp());
        int gInt = (int) buffer;
        need.offer(tb, other, gInt, evenDiv, g, p, this);
        if (!so.fineGrained()) return coarse(g, tb, other, ot, gInt, evenDiv);
        List<List<Integer>> divisions = new ArrayList<>();
        divisions.add(evenDiv);
        if (studio && p > 1) divisions = StudioDivisions.candidates(evenDiv, total, p);
        PpCandidate best = null;
        for (List<Integer> div : divisions) {
            PpCandidate cand = fineGrained(g, spSearch, tb, other, ot, gInt, div, div.equals(evenDiv), knapsacks, cancelled);
            if (best == null || cand.rankS() < best.rankS()) best = cand;
        }
        if (studio && p > 1 && best.feasible()) {
            best = StudioDivisions.improve(best, div -> fineGrained(g, spSearch, tb, other, ot, gInt, div, div.equals(evenDiv),
                    knapsacks, cancelled));
        }
        return best;
    }

    private PpCandidate fineGrained(Group g, SpSearch spSearch, Tables tb, Map<Integer, double[]> other, OtherTime ot, int gInt,
                                    List<Integer> div, boolean galvatronDivision, Map<String, StageKnapsack> knapsacks,
                                    BooleanSupplier cancelled) {
        int p = tb.p;
        // Per stage and vocab candidate k: Galvatron's knapsack optimum (variant 0). The studio adds the optimum of the
        // compute-only time (variant 1): the pipeline ranks stages by it, Galvatron's knapsack by the with-comm time (Q8).
        int variants = studio ? 2 : 1;
        Map<Integer, StageKnapsack.Solution[][]> byK = new HashMap<>();
        int start = 0;
        for (int i = 0; i < p; i++) {
            int n = div.get(i);
            for (int v = 0; v < variants; v++) {
                StageKnapsack ks = knapsack(spSearch, tb, i, start, n, knapsacks, cancelled, v == 1);
                for (Map.Entry<Integer, double[]> e : other.entrySet()) {
                    int om = (int) Math.ceil(e.getValue()[i]) + gInt;
                    StageKnapsack.Solution sol = ks.solve(n, budget - om);
                    byK.computeIfAbsent(e.getKey(), k -> new StageKnapsack.Solution[variants][p])[v][i] = sol;
                }
            }
            start += n;
        }
        double best = INF;
        double bestGalvatron = INF;
        int vtp = -1;
        List<LayerStrategy> bestLayers = null;
        StageKnapsack.Solution[] bestSols = null;
        int combos = variants == 1 ? 1 : (p <= 6 ? 1 << p : 2);
        for (int k : ot.withCommS().keySet()) {
            StageKnapsack.Solution[][] all = byK.get(k);
            if (all == null) continue; // not in the memory profile's vocab tables (Galvatron: KeyError, quirk Q3)
            if (!vocabRunnable(k)) continue;
            for (int mask = 0; mask < combos; mask++) {
                StageKnapsack.Solution[] sols = new StageKnapsack.Solution[p];
                boolean ok = true;
                for (int i = 0; i < p; i++) {
                    int v = combos == 2 ? mask : (mask >> i) & 1;
                    sols[i] = all[v][i];
                    ok &= sols[i].feasible();
                }
                if (!ok) continue;
                List<LayerStrategy> layers = new ArrayList<>();
                int[] idx = new int[model.totalLayers()];
                int l = 0;
                for (StageKnapsack.Solution sol : sols) {
                    for (int s : sol.strategyIndex()) {
                        idx[l++] = s;
                        layers.add(tb.ss.get(s));
                    }
                }
                double[] pc = pipelineCosts(tb, g, div, idx, layers, ot.noCommS().get(k));
                // Galvatron's own candidate is ranked by Galvatron's cost; the studio's extra candidates must also
                // beat it under the plain 1F1B bound, so they never win through the formula's blind spots.
                double rank = mask == 0 && galvatronDivision ? pc[0] : pc[1];
                if (best > rank) {
                    best = rank;
                    bestGalvatron = pc[0];
                    vtp = k;
                    bestLayers = layers;
                    bestSols = sols;
                }
            }
        }
        if (vtp == -1 || tb.ss.isEmpty()) return infeasible(p, div);
        List<Integer> remain = new ArrayList<>();
        List<Integer> mem = new ArrayList<>();
        for (StageKnapsack.Solution sol : bestSols) {
            remain.add(sol.remainingMb());
            mem.add(budget - sol.remainingMb() + cache);
        }
        return new PpCandidate(p, div, bestGalvatron, remain, mem, vtp, bestLayers, best);
    }

    private StageKnapsack knapsack(SpSearch spSearch, Tables tb, int stage, int start, int n, Map<String, StageKnapsack> cache,
                                   BooleanSupplier cancelled, boolean computeOnly) {
        int j = tb.memTable(stage);
        boolean identical = model.layerTypes().size() == 1 && so.pinnedLayers().isEmpty();
        String key = spSearch.code() + "/" + tb.p + "/" + j + "/" + (identical ? 0 : start) + (identical ? "" : "/" + n) + (computeOnly ? "/nc" : "");
        StageKnapsack ks = cache.get(key);
        if (ks != null && ks.layers() >= n) return ks;
        // identical layers: one knapsack as deep as the deepest stage answers every stage (and every division)
        int depth = identical ? Math.max(n, studio ? model.totalLayers() - (tb.p - 1) : n) : n;
        if (identical && !studio) depth = Math.max(depth, model.totalLayers() - (tb.p - 1) * (model.totalLayers() / tb.p));
        int ns = tb.ss.size();
        int[][] w = new int[depth][];
        double[][] t = new double[depth][];
        double[][][] x = new double[depth][][];
        for (int l = 0; l < depth; l++) {
            int global = start + l;
            int type = model.typeOfLayer(Math.min(global, model.totalLayers() - 1));
            w[l] = tb.weight[j][type];
            double[] tt = computeOnly ? tb.timeNoComm[type] : tb.time[type];
            LayerStrategy pin = so.pinnedLayers().get(global);
            if (pin != null) {
                tt = tt.clone();
                for (int s = 0; s < ns; s++) if (!tb.ss.get(s).equals(pin)) tt[s] = INF;
            }
            t[l] = tt;
            x[l] = tb.x[type][0];
        }
        ks = shared.get(new KnapsackCache.Key(w, t, x, budget), () -> new StageKnapsack(w, t, x, budget, cancelled));
        cache.put(key, ks);
        return ks;
    }

    /** {Galvatron's pipeline cost, the cost the search ranks by}. */
    private double[] pipelineCosts(Tables tb, Group g, List<Integer> div, int[] idx, List<LayerStrategy> layers, double[] otherNoComm) {
        LayerStrategy l0 = layers.get(0);
        int loc = (int) ((double) g.globalBatch() / (l0.tp() * l0.dp() / g.minTp()));
        int realc = tb.chunks == 1 ? 1 : CostModel.chunkSizes(loc, (int) tb.chunks).length;
        if (realc != tb.chunks) {
            double[] ch = new double[tb.types];
            java.util.Arrays.fill(ch, tb.chunks);
            studio.engine.cost.PipelineTerms terms = cm.pipelineCost(layers, div, ch, g.globalBatch(), g.minTp(), otherNoComm);
            double c = terms.iterationS();
            return new double[] {c, studio ? Math.max(c, scheduleBound(terms.fullS(), terms.computeS(), terms.realChunks())) : c};
        }
        int p = div.size();
        double[] f = new double[p];
        double[] k = new double[p];
        int l = 0;
        for (int st = 0; st < p; st++) {
            for (int j = 0; j < div.get(st); j++, l++) {
                int type = model.typeOfLayer(l);
                f[st] += tb.time[type][idx[l]];
                k[st] += tb.timeNoComm[type][idx[l]];
            }
            k[st] += otherNoComm[st];
        }
        double c = CostModel.pipelineFormula(f, k, realc);
        return new double[] {c, studio ? Math.max(c, scheduleBound(f, k, realc)) : c};
    }

    /**
     * The iteration as the runtime schedules it (issue 15: the simulator, {@link PipelineSchedule}):
     * each stage's micro-batch work {@code k} split as Galvatron's model splits a layer (forward a third, backward two
     * thirds; p2p is already inside the layers' times), run in the plan's GPipe or 1F1B order, plus the exposed
     * gradient-reduce tail. The studio ranks its own candidates by the larger of this and Galvatron's formula, so
     * neither the formula's blind spots nor an order the runtime cannot keep makes a candidate win.
     */
    private double scheduleBound(double[] f, double[] k, int chunks) {
        int p = k.length;
        double[] forward = new double[p];
        double[] backward = new double[p];
        double acc = 0;
        double tail = 0;
        for (int i = 0; i < p; i++) {
            forward[i] = k[i] / 3;
            backward[i] = k[i] - forward[i];
            acc += k[i];
            tail = Math.max(tail, f[i] - acc);
        }
        double makespan = PipelineSchedule.makespanMs(co.pipelineType(), Math.max(1, chunks), forward, backward,
                new double[Math.max(1, p - 1)]);
        // the plain bound stays a floor: the schedule is never below it, so this only guards against rounding
        return Math.max(makespan + Math.max(0, tail), plainBound(f, k, chunks));
    }

    /** The plain 1F1B iteration: every stage's work once, plus (micro-batches - 1) times the slowest stage, plus the reduce tail. */
    static double plainBound(double[] f, double[] k, int chunks) {
        double sum = 0;
        double max = 0;
        double acc = 0;
        double tail = 0;
        for (int i = 0; i < k.length; i++) {
            sum += k[i];
            max = Math.max(max, k[i]);
            acc += k[i];
            tail = Math.max(tail, f[i] - acc);
        }
        return sum + (chunks - 1) * max + Math.max(0, tail);
    }

    /** Galvatron's coarse mode (§6.7): one strategy for every layer, vocab TP equal to the layer TP. */
    private PpCandidate coarse(Group g, Tables tb, Map<Integer, double[]> other, OtherTime ot, int gInt, List<Integer> div) {
        int p = tb.p;
        double best = INF;
        PpCandidate bestCand = null;
        for (int s = 0; s < tb.ss.size(); s++) {
            LayerStrategy st = tb.ss.get(s);
            for (int k : ot.withCommS().keySet()) {
                if (!other.containsKey(k) || st.tp() != k || !vocabRunnable(k)) continue;
                boolean ok = true;
                List<Integer> remain = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < p; i++) {
                    int mem = (int) Math.ceil(other.get(k)[i]) + gInt;
                    int j = tb.memTable(i);
                    for (int l = start; l < start + div.get(i); l++) {
                        LayerStrategy pin = so.pinnedLayers().get(l);
                        if (pin != null && !pin.equals(st)) ok = false;
                        mem += tb.weight[j][model.typeOfLayer(l)][s];
                    }
                    start += div.get(i);
                    if (budget - mem < 0) ok = false;
                    remain.add(budget - mem);
                }
                if (!ok) continue;
                int[] idx = new int[model.totalLayers()];
                java.util.Arrays.fill(idx, s);
                List<LayerStrategy> layers = java.util.Collections.nCopies(model.totalLayers(), st);
                double[] pc = pipelineCosts(tb, g, div, idx, layers, ot.noCommS().get(k));
                if (best > pc[0]) {
                    best = pc[0];
                    List<Integer> mem = remain.stream().map(r -> budget - r + cache).toList();
                    bestCand = new PpCandidate(p, div, pc[0], remain, mem, k, List.copyOf(layers), pc[0]);
                }
            }
        }
        // Galvatron's coarse path reports empty lists when no uniform strategy fits
        return bestCand == null ? new PpCandidate(p, div, INF, List.of(), List.of(), -1, null) : bestCand;
    }

    // ------------------------------------------------------------------------------------------------ nothing fits

    /** Tracks the least memory any candidate needs, to tell the user what budget would fit. */
    private static final class MemoryNeed {
        private int mb = Integer.MAX_VALUE;
        private long order = Long.MAX_VALUE;
        private String what;

        synchronized void offer(Tables tb, Map<Integer, double[]> other, int gInt, List<Integer> div, Group g, int p, SearchEngine e) {
            if (other.isEmpty() || div.stream().anyMatch(d -> d < 1)) return;
            int worst = 0;
            int start = 0;
            for (int i = 0; i < p; i++) {
                int j = tb.memTable(i);
                int sum = 0;
                for (int l = start; l < start + div.get(i); l++) {
                    int type = e.model.typeOfLayer(l);
                    int min = Integer.MAX_VALUE;
                    for (int w : tb.weight[j][type]) min = Math.min(min, w);
                    sum += min;
                }
                start += div.get(i);
                int om = Integer.MAX_VALUE;
                for (double[] o : other.values()) om = Math.min(om, (int) Math.ceil(o[i]) + gInt);
                worst = Math.max(worst, sum + om);
            }
            long o = (long) g.index() * 64 + p;
            if (worst < mb || (worst == mb && o < order)) {
                mb = worst;
                order = o;
                what = "pp " + p + ", batch " + g.globalBatch() + ", chunks " + g.chunks();
            }
        }

        synchronized int mb() { return mb == Integer.MAX_VALUE ? 0 : mb; }

        synchronized String describe() { return what; }

        synchronized int minimumGb(CostModelOptions co) {
            if (mb == Integer.MAX_VALUE) return 0;
            for (int gb = 1; gb <= 1 << 20; gb++) {
                int total = gb * 1024;
                int usable = total - CostModelOptions.cacheReserveMb(total);
                if (usable >= mb) return gb;
            }
            return 0;
        }
    }

    /** Distinct pipeline degrees, for logs. */
    static List<Integer> ppDegrees(List<LayerStrategy> s) {
        return new ArrayList<>(new LinkedHashSet<>(s.stream().map(LayerStrategy::pp).toList()));
    }

}
