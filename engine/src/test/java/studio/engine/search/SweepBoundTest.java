package studio.engine.search;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a batch sweep leaves out: degrees whose bound loses. The bound never exceeds what the degree really costs, the
 * optimum is the one found by searching everything, and what is left out does not depend on the workers.
 */
class SweepBoundTest {
    @Test
    void theRelaxedStageIsNeverSlowerThanAnyAssignmentThatFits() {
        Random rnd = new Random(20261202);
        for (int iter = 0; iter < 500; iter++) {
            int types = 1 + rnd.nextInt(2);
            int ns = 1 + rnd.nextInt(5);
            int[][] w = new int[types][ns];
            double[][] t = new double[types][ns];
            for (int k = 0; k < types; k++) {
                for (int s = 0; s < ns; s++) {
                    w[k][s] = 1 + rnd.nextInt(20);
                    t[k][s] = rnd.nextInt(8) == 0 ? Double.POSITIVE_INFINITY : 0.1 + rnd.nextInt(50) * 0.01;
                }
            }
            int[] count = new int[types];
            int layers = 0;
            for (int k = 0; k < types; k++) {
                count[k] = rnd.nextInt(4);
                layers += count[k];
            }
            int[] typeOf = new int[layers];
            for (int k = 0, l = 0; k < types; k++) for (int i = 0; i < count[k]; i++) typeOf[l++] = k;
            long budget = rnd.nextInt(60);
            double best = exhaustive(w, t, typeOf, budget);
            double bound = new StageBound.Relaxation(w, t).leastTimeS(count, budget);
            if (best == Double.POSITIVE_INFINITY) continue; // a bound of a stage that cannot fit may be anything
            assertTrue(bound <= best + 1e-12, "case " + iter + ": bound " + bound + " above the best assignment " + best);
        }
    }

    private static double exhaustive(int[][] w, double[][] t, int[] typeOf, long budget) {
        int ns = w[0].length;
        int n = typeOf.length;
        double best = Double.POSITIVE_INFINITY;
        int[] pick = new int[n];
        while (true) {
            long used = 0;
            double time = 0;
            for (int l = 0; l < n; l++) {
                used += w[typeOf[l]][pick[l]];
                time += t[typeOf[l]][pick[l]];
            }
            if (used <= budget) best = Math.min(best, time);
            int l = 0;
            while (l < n && ++pick[l] == ns) pick[l++] = 0;
            if (l == n) return n == 0 ? 0 : best;
        }
    }

    @Test
    void aSweepFindsTheSameOptimumAsSearchingEveryDegreeAndItsBoundsHold() {
        SearchOptions sweep = S1SearchTest.s1Options().toBuilder().settleBsz(-1).batchSweep(8, 256, 8).workers(2).build();
        SearchResult all = new SearchEngine(S1SearchTest.s1CostModel(), sweep).searchingEveryDegree().search();
        SearchResult some = new SearchEngine(S1SearchTest.s1CostModel(), sweep).search();
        assertEquals(0, all.notSearched());
        assertTrue(some.notSearched() > 0, "a sweep of " + some.taskCount() + " sub-searches left nothing out");
        assertEquals(all.plan(), some.plan());
        // the same winning sub-search and candidate (its runners-up may be among those left out)
        assertEquals(all.best().best(), some.best().best());
        assertEquals(List.of(all.best().globalBatch(), all.best().chunks(), all.best().minTp(), all.best().maxTp()),
                List.of(some.best().globalBatch(), some.best().chunks(), some.best().minTp(), some.best().maxTp()));
        assertEquals(all.throughput(), some.throughput());
        assertEquals(all.taskCount(), some.taskCount());
        int checked = 0;
        for (int i = 0; i < all.tasks().size(); i++) {
            List<PpCandidate> every = all.tasks().get(i).candidates();
            List<PpCandidate> left = some.tasks().get(i).candidates();
            assertEquals(every.size(), left.size());
            for (int k = 0; k < every.size(); k++) {
                if (left.get(k).searched()) {
                    assertEquals(every.get(k), left.get(k));
                } else {
                    // what the degree really costs is never below its bound (an infeasible one costs +inf)
                    assertTrue(every.get(k).rankS() >= left.get(k).boundS() * (1 - 1e-12), every.get(k) + " vs bound " + left.get(k).boundS());
                    checked++;
                }
            }
        }
        assertEquals(some.notSearched(), checked);
        System.out.printf(java.util.Locale.ROOT, "[bench] sweep 8..256 of S1: %d sub-searches, %d of their degrees left out; %d ms, every degree %d ms%n",
                some.taskCount(), some.notSearched(), some.elapsedMs(), all.elapsedMs());
    }

    @Test
    void whatIsLeftOutDoesNotDependOnTheWorkers() {
        SearchOptions sweep = S1SearchTest.s1Options().toBuilder().settleBsz(-1).batchSweep(8, 256, 8).build();
        SearchResult one = new SearchEngine(S1SearchTest.s1CostModel(), sweep.withWorkers(1)).search();
        SearchResult three = new SearchEngine(S1SearchTest.s1CostModel(), sweep.withWorkers(3)).search();
        assertEquals(one.tasks(), three.tasks());
        assertEquals(one.notSearched(), three.notSearched());
    }
}
