package studio.engine.search;

import org.junit.jupiter.api.Test;

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
            // a query that plan does not fit builds them once (unless cancelled); the other answers stay the same after
            if (needMb > 1 && Math.min(budget, needMb - 1) >= 0) {
                int tight = rnd.nextInt(Math.min(budget, needMb - 1) + 1);
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
        int budget = 40;
        StageKnapsack ks = new StageKnapsack(w, t, x, budget);
        int[] depths = {3, 2, 6, 9, 4};
        int deepest = 0;
        for (int depth : depths) {
            int query = 2 * depth; // tighter than the lightest-but-one: memory binds
            Object[] ref = dense(java.util.Arrays.copyOf(w, depth), java.util.Arrays.copyOf(t, depth), java.util.Arrays.copyOf(x, depth),
                    budget, query);
            assertSameAnswer(ref, ks.solve(depth, query), "depth " + depth);
            deepest = Math.max(deepest, depth);
            assertEquals(deepest, ks.stepLayers(), "after depth " + depth);
        }
        assertThrows(IllegalArgumentException.class, () -> ks.solve(n + 1, budget));
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
