package studio.engine.search;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The step-function knapsack against a line-by-line port of Galvatron's dense dp_core.cpp (search-engine spec
 * §6.5) on random instances built to tie often: values, back-pointers and reconstructed plans must be identical.
 */
class StageKnapsackTest {
    /** Galvatron's dense DP, as written in dp_core.cpp. */
    static Object[] dense(int[][] w, double[][] t, double[][][] x, int budget, int query) {
        int n = w.length;
        int ns = w[0].length;
        double[][] f = new double[budget + 1][ns];
        int[][][] mark = new int[n][budget + 1][ns];
        for (int l = 0; l < n; l++) {
            for (int v = budget; v >= 0; v--) {
                for (int s = 0; s < ns; s++) {
                    if (v < w[l][s]) {
                        mark[l][v][s] = -1;
                        f[v][s] = Double.POSITIVE_INFINITY;
                        continue;
                    }
                    double best = Double.POSITIVE_INFINITY;
                    int arg = 0;
                    for (int sp = 0; sp < ns; sp++) {
                        double c = (f[v - w[l][s]][sp] + x[l][sp][s]) + t[l][s];
                        if (c < best) {
                            best = c;
                            arg = sp;
                        }
                    }
                    mark[l][v][s] = arg;
                    f[v][s] = best;
                }
            }
        }
        if (query < 0) return new Object[] {Double.POSITIVE_INFINITY, null, -1};
        double cost = Double.POSITIVE_INFINITY;
        int last = 0;
        for (int s = 0; s < ns; s++) {
            if (f[query][s] < cost) {
                cost = f[query][s];
                last = s;
            }
        }
        if (cost == Double.POSITIVE_INFINITY) return new Object[] {cost, null, -1};
        int[] res = new int[n];
        res[n - 1] = last;
        int v = query;
        for (int l = n - 1; l >= 1; l--) {
            int cur = res[l];
            res[l - 1] = mark[l][v][cur];
            v -= w[l][cur];
        }
        return new Object[] {cost, res, v - w[0][res[0]]};
    }

    /** The dense DP's cost, MB left and plan (ref) against the knapsack's solution. */
    /** The lightest plan of the first {@code depth} layers: below it nothing fits. */
    static int lightestMb(int[][] w, double[][] t, int depth) {
        int sum = 0;
        for (int l = 0; l < depth; l++) {
            int least = Integer.MAX_VALUE;
            for (int s = 0; s < w[l].length; s++) if (t[l][s] < Double.POSITIVE_INFINITY) least = Math.min(least, w[l][s]);
            sum += least == Integer.MAX_VALUE ? 1_000_000 : least;
        }
        return sum;
    }

    private static void assertSameAnswer(Object[] ref, StageKnapsack.Solution got, String what) {
        assertEquals((double) ref[0], got.time(), what + " cost");
        assertEquals((int) ref[2], got.remainingMb(), what + " remaining");
        if (ref[1] != null) assertArrayEquals((int[]) ref[1], got.strategyIndex(), what + " plan");
    }

    @Test
    void identicalToGalvatronsDenseDpOnRandomInstances() {
        Random rnd = new Random(20261128);
        int cases = 0;
        for (int iter = 0; iter < 400; iter++) {
            int n = 1 + rnd.nextInt(7);
            int ns = 1 + rnd.nextInt(6);
            int budget = 20 + rnd.nextInt(120);
            boolean identical = rnd.nextBoolean();
            int[][] w = new int[n][ns];
            double[][] t = new double[n][ns];
            double[][][] x = new double[n][ns][ns];
            for (int l = 0; l < n; l++) {
                for (int s = 0; s < ns; s++) {
                    if (identical && l > 0) {
                        w[l] = w[0];
                        t[l] = t[0];
                        x[l] = x[0];
                        continue;
                    }
                    w[l][s] = 1 + rnd.nextInt(30);
                    // coarse values so that sums tie exactly and ties are broken as Galvatron breaks them
                    t[l][s] = rnd.nextInt(6) * 0.25 + (rnd.nextInt(4) == 0 ? Double.POSITIVE_INFINITY : 0);
                    for (int sp = 0; sp < ns; sp++) {
                        x[l][sp][s] = sp == s ? 0 : (rnd.nextInt(3) == 0 ? 1e-9 * rnd.nextInt(3) : rnd.nextInt(3) * 0.5);
                    }
                }
            }
            StageKnapsack ks = new StageKnapsack(w, t, x, budget);
            for (int q = 0; q < 4; q++) {
                int query = rnd.nextInt(budget + 10) - 5;
                int qb = Math.min(query, budget);
                Object[] ref = dense(w, t, x, budget, qb);
                StageKnapsack.Solution got = ks.solve(n, qb);
                assertSameAnswer(ref, got, "case " + iter);
                cases++;
            }
        }
        assertEquals(1600, cases);
    }

    /**
     * Instances shaped like Galvatron's tables (strategies in layouts of four that move between each other for the
     * 1e-9..3e-9 tie-breaking constants, large costs between layouts, fine time steps), where most previous steps are
     * dominated and dropped before the sweep: still Galvatron's values, marks and plans at every depth.
     */
    @Test
    void droppingDominatedStepsKeepsGalvatronsAnswersOnGalvatronShapedTables() {
        Random rnd = new Random(20261202);
        for (int iter = 0; iter < 40; iter++) {
            int n = 2 + rnd.nextInt(6);
            int layouts = 1 + rnd.nextInt(4);
            int ns = layouts * 4;
            int budget = 200 + rnd.nextInt(1200);
            int[][] w = new int[n][ns];
            double[][] t = new double[n][ns];
            double[][][] x = new double[n][ns][ns];
            for (int s = 0; s < ns; s++) {
                w[0][s] = 5 + rnd.nextInt(120);
                double grain = rnd.nextBoolean() ? 1e-3 : 5e-10; // distinct times, or times as close as the tie-breaking constants
                t[0][s] = 0.1 + rnd.nextInt(20) * grain + (rnd.nextInt(9) == 0 ? Double.POSITIVE_INFINITY : 0);
                for (int sp = 0; sp < ns; sp++) {
                    boolean sameLayout = sp / 4 == s / 4;
                    x[0][sp][s] = sp == s ? 0 : sameLayout ? 1e-9 * rnd.nextInt(4) : 0.002 * (1 + rnd.nextInt(5));
                }
            }
            for (int l = 1; l < n; l++) {
                w[l] = w[0];
                t[l] = rnd.nextBoolean() ? t[0] : t[0].clone();
                x[l] = x[0];
            }
            StageKnapsack ks = new StageKnapsack(w, t, x, budget);
            for (int q = 0; q < 6; q++) {
                int depth = 1 + rnd.nextInt(n);
                int query = rnd.nextInt(budget + 1);
                Object[] ref = dense(java.util.Arrays.copyOf(w, depth), java.util.Arrays.copyOf(t, depth), java.util.Arrays.copyOf(x, depth), budget, query);
                StageKnapsack.Solution got = ks.solve(depth, query);
                assertSameAnswer(ref, got, "case " + iter);
            }
        }
    }

    @Test
    void whereThePlanWithoutMemoryFitsTheStepFunctionsAreNeverBuilt() {
        Random rnd = new Random(20261202);
        int free = 0;
        int bound = 0;
        for (int iter = 0; iter < 300; iter++) {
            int n = 1 + rnd.nextInt(6);
            int ns = 1 + rnd.nextInt(5);
            int[][] w = new int[n][ns];
            double[][] t = new double[n][ns];
            double[][][] x = new double[n][ns][ns];
            for (int l = 0; l < n; l++) {
                for (int s = 0; s < ns; s++) {
                    w[l][s] = 1 + rnd.nextInt(20);
                    // coarse values that tie often, and forbidden strategies
                    t[l][s] = rnd.nextInt(5) * 0.25 + (rnd.nextInt(5) == 0 ? Double.POSITIVE_INFINITY : 0);
                    for (int sp = 0; sp < ns; sp++) x[l][sp][s] = sp == s ? 0 : rnd.nextInt(3) * 0.25;
                }
            }
            int budget = 1 + rnd.nextInt(20 * n + 10);
            // the plan Galvatron's loop finds where memory is no limit, and what it needs
            int unlimited = 20 * n;
            Object[] fastest = dense(w, t, x, unlimited, unlimited);
            if (fastest[1] == null) continue;
            int needMb = unlimited - (int) fastest[2];
            StageKnapsack ks = new StageKnapsack(w, t, x, budget);
            for (int q = 0; q < 3 && needMb <= budget; q++) {
                int query = needMb + rnd.nextInt(budget - needMb + 1);
                assertSameAnswer(dense(w, t, x, budget, query), ks.solve(n, query), "case " + iter + " fits");
                free++;
            }
            assertFalse(ks.stepsBuilt(), "case " + iter + ": a query its plan fits builds no step function");
            // a query that plan does not fit, but the lightest plan does, builds them once (unless cancelled); the other
            // answers stay the same after
            int lightestMb = lightestMb(w, t, n);
            if (needMb > 1 && Math.min(budget, needMb - 1) >= lightestMb) {
                int tight = lightestMb + rnd.nextInt(Math.min(budget, needMb - 1) - lightestMb + 1);
                if (n > 1) { // polled once a layer after the first
                    assertThrows(java.util.concurrent.CancellationException.class, () -> ks.solve(n, tight, () -> true));
                    assertFalse(ks.stepsBuilt(), "a cancelled build leaves none");
                }
                assertSameAnswer(dense(w, t, x, budget, tight), ks.solve(n, tight), "case " + iter + " bound");
                assertTrue(ks.stepsBuilt(), "case " + iter);
                bound++;
            }
            assertSameAnswer(dense(w, t, x, budget, budget), ks.solve(n, budget), "case " + iter + " after");
        }
        assertTrue(free > 200 && bound > 100, free + " queries fit, " + bound + " did not");
    }

    @Test
    void theStepFunctionsAreBuiltOnlyAsDeepAsAQueryAsks() {
        Random rnd = new Random(20261203);
        int n = 9;
        int ns = 4;
        int[][] w = new int[n][ns];
        double[][] t = new double[n][ns];
        double[][][] x = new double[n][ns][ns];
        for (int l = 0; l < n; l++) {
            for (int s = 0; s < ns; s++) {
                w[l][s] = 1 + rnd.nextInt(12);
                t[l][s] = rnd.nextInt(6) * 0.25;
                for (int sp = 0; sp < ns; sp++) x[l][sp][s] = sp == s ? 0 : rnd.nextInt(3) * 0.125;
            }
        }
        int budget = 120;
        StageKnapsack ks = new StageKnapsack(w, t, x, budget);
        int[] depths = {3, 2, 6, 9, 4};
        int deepest = 0;
        for (int depth : depths) {
            int[][] wd = java.util.Arrays.copyOf(w, depth);
            double[][] td = java.util.Arrays.copyOf(t, depth);
            double[][][] xd = java.util.Arrays.copyOf(x, depth);
            // between the lightest plan and the fastest: memory binds
            int needMb = 1000 - (int) dense(wd, td, xd, 1000, 1000)[2];
            int query = (lightestMb(w, t, depth) + needMb) / 2;
            assertTrue(query < needMb && query >= lightestMb(w, t, depth), "depth " + depth);
            Object[] ref = dense(wd, td, xd, budget, query);
            assertSameAnswer(ref, ks.solve(depth, query), "depth " + depth);
            deepest = Math.max(deepest, depth);
            assertEquals(deepest, ks.stepLayers(), "after depth " + depth);
        }
        assertThrows(IllegalArgumentException.class, () -> ks.solve(n + 1, budget));
    }

    /** {@code n} layers that share one weight, time and transition row by reference, as a single-type stage's do. */
    private static Object[] identicalLayers(Random rnd, int n, int ns, int maxWeight, boolean coarse) {
        int[] w = new int[ns];
        double[] t = new double[ns];
        double[][] x = new double[ns][ns];
        for (int s = 0; s < ns; s++) {
            w[s] = 1 + rnd.nextInt(maxWeight);
            // coarse values tie often; the fine ones are spread like layer times (heavier mostly faster)
            t[s] = coarse ? rnd.nextInt(5) * 0.25 + (rnd.nextInt(6) == 0 ? Double.POSITIVE_INFINITY : 0)
                    : 1.0 / w[s] + rnd.nextDouble() * 0.05;
            for (int sp = 0; sp < ns; sp++) {
                x[sp][s] = sp == s ? 0 : coarse ? rnd.nextInt(3) * 0.125 : (rnd.nextInt(3) == 0 ? 1e-9 : rnd.nextDouble() * 0.01);
            }
        }
        int[][] wl = new int[n][];
        double[][] tl = new double[n][];
        double[][][] xl = new double[n][][];
        for (int l = 0; l < n; l++) {
            wl[l] = w;
            tl[l] = t;
            xl[l] = x;
        }
        return new Object[] {wl, tl, xl};
    }

    /** The same layers as copies, no row shared: a knapsack of them builds exactly. */
    private static Object[] unshared(int[][] w, double[][] t, double[][][] x) {
        int n = w.length;
        int[][] wc = new int[n][];
        double[][] tc = new double[n][];
        double[][][] xc = new double[n][][];
        for (int l = 0; l < n; l++) {
            wc[l] = w[l].clone();
            tc[l] = t[l].clone();
            xc[l] = new double[x[l].length][];
            for (int i = 0; i < x[l].length; i++) xc[l][i] = x[l][i].clone();
        }
        return new Object[] {wc, tc, xc};
    }

    @Test
    void identicalLayersKeepOnlyWhatTheirQueriesReadAndAnswerAsTheDenseLoop() {
        Random rnd = new Random(20261204);
        int windowed = 0;
        int queries = 0;
        for (int iter = 0; iter < 400; iter++) {
            int n = 2 + rnd.nextInt(10);
            int ns = 1 + rnd.nextInt(6);
            Object[] layers = identicalLayers(rnd, n, ns, 20, iter % 2 == 0);
            int[][] w = (int[][]) layers[0];
            double[][] t = (double[][]) layers[1];
            double[][][] x = (double[][][]) layers[2];
            int budget = 1 + rnd.nextInt(20 * n + 10);
            StageKnapsack ks = new StageKnapsack(w, t, x, budget);
            boolean sawWindow = false;
            // several rounds of queries: new depths and budgets widen the window, or make the build exact
            for (int round = 0; round < 6; round++) {
                int depth = 1 + rnd.nextInt(n);
                int[] budgets = new int[1 + rnd.nextInt(3)];
                for (int q = 0; q < budgets.length; q++) budgets[q] = rnd.nextInt(budget + 1);
                StageKnapsack.Solution[] got = ks.solve(depth, budgets, null);
                sawWindow |= ks.windowed();
                for (int q = 0; q < budgets.length; q++) {
                    Object[] ref = dense(java.util.Arrays.copyOf(w, depth), java.util.Arrays.copyOf(t, depth), java.util.Arrays.copyOf(x, depth),
                            budget, budgets[q]);
                    assertSameAnswer(ref, got[q], "case " + iter + " round " + round + " depth " + depth + " budget " + budgets[q]);
                    queries++;
                }
            }
            if (sawWindow) windowed++;
        }
        assertTrue(windowed > 100 && queries > 2000, windowed + " knapsacks built windowed, " + queries + " queries");
    }

    @Test
    void threadsSharingAKnapsackWhoseWindowTheyWidenGetTheDenseLoopsAnswers() throws Exception {
        Random rnd = new Random(20261206);
        Object[] layers = identicalLayers(rnd, 12, 6, 30, true);
        int[][] w = (int[][]) layers[0];
        double[][] t = (double[][]) layers[1];
        double[][][] x = (double[][][]) layers[2];
        int budget = 12 * 25;
        // every query's answer from Galvatron's dense loop, worked out first
        int[][] asked = new int[400][];
        Object[][] expected = new Object[asked.length][];
        for (int q = 0; q < asked.length; q++) {
            int depth = 1 + rnd.nextInt(12);
            int query = rnd.nextInt(budget + 1);
            asked[q] = new int[] {depth, query};
            expected[q] = dense(java.util.Arrays.copyOf(w, depth), java.util.Arrays.copyOf(t, depth), java.util.Arrays.copyOf(x, depth),
                    budget, query);
        }
        for (int round = 0; round < 5; round++) {
            StageKnapsack shared = new StageKnapsack(w, t, x, budget);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int thread = 0; thread < 4; thread++) {
                    int offset = thread * 97 + round;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < asked.length; i++) {
                            int q = (i + offset) % asked.length;
                            assertSameAnswer(expected[q], shared.solve(asked[q][0], asked[q][1]), "query " + q);
                        }
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) f.get();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aWindowedBuildKeepsFewerStepsThanAnExactOne() {
        Random rnd = new Random(20261205);
        Object[] layers = identicalLayers(rnd, 28, 10, 400, false);
        int[][] w = (int[][]) layers[0];
        double[][] t = (double[][]) layers[1];
        double[][][] x = (double[][][]) layers[2];
        Object[] copies = unshared(w, t, x);
        int budget = 28 * 150;
        StageKnapsack windowed = new StageKnapsack(w, t, x, budget);
        StageKnapsack exact = new StageKnapsack((int[][]) copies[0], (double[][]) copies[1], (double[][][]) copies[2], budget);
        int[] budgets = {budget - 300, budget - 120, budget};
        StageKnapsack.Solution[] a = windowed.solve(28, budgets, null);
        StageKnapsack.Solution[] b = exact.solve(28, budgets, null);
        for (int q = 0; q < budgets.length; q++) {
            assertArrayEquals(b[q].strategyIndex(), a[q].strategyIndex(), "budget " + budgets[q]);
            assertEquals(b[q].time(), a[q].time());
            assertEquals(b[q].remainingMb(), a[q].remainingMb());
        }
        assertTrue(windowed.windowed() && !exact.windowed());
        assertTrue(windowed.totalSteps() * 2 < exact.totalSteps(), windowed.totalSteps() + " steps windowed, " + exact.totalSteps() + " exact");
        // a query outside the window (a deeper-cut budget) widens it, and is still the dense loop's answer
        Object[] ref = dense(w, t, x, budget, budget - 900);
        assertSameAnswer(ref, windowed.solve(28, budget - 900), "widened");
    }

    @Test
    void theSharedCacheCountsStepsBuiltAfterAKnapsackIsKept() {
        int[][] w = {{3, 5}, {3, 5}, {3, 5}};
        double[][] t = {{2.0, 1.0}, {2.0, 1.0}, {2.0, 1.0}};
        double[][][] x = {{{0, 0.5}, {0.5, 0}}, {{0, 0.5}, {0.5, 0}}, {{0, 0.5}, {0.5, 0}}};
        KnapsackCache cache = new KnapsackCache(12);
        StageKnapsack first = cache.get(new KnapsackCache.Key(w, t, x, 15), grown -> new StageKnapsack(w, t, x, 15, grown));
        StageKnapsack second = cache.get(new KnapsackCache.Key(w, t, x, 14), grown -> new StageKnapsack(w, t, x, 14, grown));
        assertEquals(12, cache.keptSteps(), "one per layer and strategy each, before any step function");
        assertEquals(2, cache.size());
        first.solve(3, 15);
        assertEquals(12, cache.keptSteps(), "a query memory does not bind builds nothing");
        second.solve(3, 10);
        // the second's steps now count: past the bound, the first (least recently used) goes
        assertEquals(second.totalSteps(), cache.keptSteps());
        assertEquals(1, cache.size());
        assertSame(second, cache.get(new KnapsackCache.Key(w, t, x, 14), grown -> { throw new AssertionError("kept"); }));
    }

    @Test
    void shallowerDepthsAnswerThePrefix() {
        int[][] w = {{3, 5}, {3, 5}, {3, 5}};
        double[][] t = {{2.0, 1.0}, {2.0, 1.0}, {2.0, 1.0}};
        double[][][] x = {{{0, 0}, {0, 0}}, {{0, 0}, {0, 0}}, {{0, 0}, {0, 0}}};
        StageKnapsack ks = new StageKnapsack(w, t, x, 100);
        assertEquals(2.0, ks.solve(2, 10).time());
        Object[] ref = dense(new int[][] {{3, 5}, {3, 5}}, new double[][] {{2.0, 1.0}, {2.0, 1.0}},
                new double[][][] {{{0, 0}, {0, 0}}, {{0, 0}, {0, 0}}}, 100, 8);
        assertEquals((double) ref[0], ks.solve(2, 8).time());
        assertArrayEquals((int[]) ref[1], ks.solve(2, 8).strategyIndex());
    }
}
