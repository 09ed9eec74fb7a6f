package studio.engine.search;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Stage knapsacks shared across search tasks by content: tasks of different batch sizes, chunk counts and TP ranges
 * often build exactly the same tables (same micro-batch, same strategies), and building is the search's main cost.
 * Least-recently-used entries go once the kept steps pass a bound, so the heap stays small.
 */
final class KnapsackCache {
    private final long maxSteps;
    private long steps;
    private final LinkedHashMap<Key, StageKnapsack> map = new LinkedHashMap<>(64, 0.75f, true);

    KnapsackCache(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** Content key of a knapsack: per-layer weight, time and transition rows, and the budget. */
    static final class Key {
        final int[][] w;
        final double[][] t;
        final double[][][] x;
        final int budget;
        final int hash;

        Key(int[][] w, double[][] t, double[][][] x, int budget) {
            this.w = w;
            this.t = t;
            this.x = x;
            this.budget = budget;
            // rows are shared by reference between identical layers: hash each distinct row once
            Map<Object, Integer> rowHash = new IdentityHashMap<>();
            int h = budget * 31 + w.length;
            for (int l = 0; l < w.length; l++) {
                h = h * 31 + rowHash.computeIfAbsent(w[l], r -> Arrays.hashCode((int[]) r));
                h = h * 31 + rowHash.computeIfAbsent(t[l], r -> Arrays.hashCode((double[]) r));
                h = h * 31 + rowHash.computeIfAbsent(x[l], r -> Arrays.deepHashCode((double[][]) r));
            }
            this.hash = h;
        }

        @Override
        public int hashCode() { return hash; }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.hash != hash || k.budget != budget || k.w.length != w.length) return false;
            for (int l = 0; l < w.length; l++) {
                if (!Arrays.equals(w[l], k.w[l]) || !Arrays.equals(t[l], k.t[l])) return false;
                if (x[l] != k.x[l] && !Arrays.deepEquals(x[l], k.x[l])) return false;
            }
            return true;
        }
    }

    StageKnapsack get(Key key, Supplier<StageKnapsack> build) {
        synchronized (this) {
            StageKnapsack ks = map.get(key);
            if (ks != null) return ks;
        }
        StageKnapsack ks = build.get();
        synchronized (this) {
            StageKnapsack prior = map.putIfAbsent(key, ks);
            if (prior != null) return prior;
            steps += ks.totalSteps();
            var it = map.entrySet().iterator();
            while (steps > maxSteps && it.hasNext()) {
                var e = it.next();
                if (e.getValue() == ks) continue;
                steps -= e.getValue().totalSteps();
                it.remove();
            }
        }
        return ks;
    }
}
