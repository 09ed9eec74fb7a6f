package studio.engine.search;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Consumer;

/**
 * Stage knapsacks shared across search tasks by content: tasks of different batch sizes, chunk counts and TP ranges
 * often build exactly the same tables (same micro-batch, same strategies), and building is the search's main cost.
 * Least-recently-used entries go once the kept steps pass a bound, so the heap stays small.
 */
final class KnapsackCache {
    private final long maxSteps;
    private long steps;
    private final LinkedHashMap<Key, Kept> map = new LinkedHashMap<>(64, 0.75f, true);

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

    /**
     * The knapsack of {@code key}, built by {@code build} if none is kept; {@code build} is handed what the knapsack
     * calls once its step functions are built (a query may build them long after it is kept), so that they count too.
     */
    StageKnapsack get(Key key, Function<Consumer<StageKnapsack>, StageKnapsack> build) {
        synchronized (this) {
            Kept kept = map.get(key);
            if (kept != null) return kept.knapsack;
        }
        StageKnapsack ks = build.apply(grown -> grew(key, grown));
        long counted = ks.totalSteps();
        synchronized (this) {
            Kept prior = map.putIfAbsent(key, new Kept(ks, counted));
            if (prior != null) return prior.knapsack;
            steps += counted;
            evictBeyondBound(ks);
        }
        return ks;
    }

    /** The steps the kept knapsacks are counted for. */
    synchronized long keptSteps() { return steps; }

    synchronized int size() { return map.size(); }

    /** A knapsack's step functions were built: its steps count from now on if it is still kept. */
    private synchronized void grew(Key key, StageKnapsack ks) {
        Kept kept = map.get(key);
        if (kept == null || kept.knapsack != ks) return;
        long totalSteps = ks.totalSteps();
        steps += totalSteps - kept.counted;
        kept.counted = totalSteps;
        evictBeyondBound(ks);
    }

    /** Drops least-recently-used knapsacks other than {@code keep} while the steps kept pass the bound. */
    private void evictBeyondBound(StageKnapsack keep) {
        var it = map.values().iterator();
        while (steps > maxSteps && it.hasNext()) {
            Kept e = it.next();
            if (e.knapsack == keep) continue;
            steps -= e.counted;
            it.remove();
        }
    }

    /** A kept knapsack and the steps it is counted for. */
    private static final class Kept {
        final StageKnapsack knapsack;
        long counted;

        Kept(StageKnapsack knapsack, long counted) {
            this.knapsack = knapsack;
            this.counted = counted;
        }
    }
}
