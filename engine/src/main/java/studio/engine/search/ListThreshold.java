package studio.engine.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pipeline degree's plans must reach to make the caller's list: the best plan of the whole search, or each
 * batch size's few best distinct plans (the studio's result list). Plans of different batch sizes, chunk counts or
 * vocabulary layers ({@code vsp}, {@code embed_sdp}) always differ, so each such family's best counts as one distinct
 * plan; sub-searches of one family (other TP ranges or sequence-parallel choices) may find the same plan and count
 * once. The threshold only rises as plans are found, and never above the list's last entry once everything is searched.
 * Thread-safe.
 */
final class ListThreshold {
    private record Family(int globalBatch, int chunks, boolean vocabularyUlysses, boolean embeddingZero3) {
    }

    private final boolean perBatch;
    private final int plans;
    /** Per bucket (a batch size, or 0 for the whole search): each family's best throughput so far. */
    private final Map<Integer, Map<Family, Double>> best = new HashMap<>();
    private final Map<Integer, Double> threshold = new HashMap<>();

    /**
     * @param perBatch whether each batch size keeps its own list (else one list for the whole search)
     * @param plans    how many distinct plans each list holds
     */
    ListThreshold(boolean perBatch, int plans) {
        if (plans < 1) throw new IllegalArgumentException("a list holds at least one plan, got " + plans);
        this.perBatch = perBatch;
        this.plans = plans;
    }

    private int bucket(TaskGroup group) { return perBatch ? group.globalBatch() : 0; }

    /** A plan of {@code throughput} samples/s (by the search's rank) found in this sub-search. */
    synchronized void offer(TaskGroup group, boolean vocabularyUlysses, boolean embeddingZero3, double throughput) {
        if (!(throughput > 0)) return;
        int bucket = bucket(group);
        Map<Family, Double> families = best.computeIfAbsent(bucket, b -> new HashMap<>());
        families.merge(new Family(group.globalBatch(), group.chunks(), vocabularyUlysses, embeddingZero3), throughput, Math::max);
        if (families.size() < plans) return;
        List<Double> values = new ArrayList<>(families.values());
        values.sort((a, b) -> Double.compare(b, a));
        threshold.put(bucket, values.get(plans - 1));
    }

    /** Whether the list of {@code group}'s batch size (or the whole search's) is full, so that degrees can be left out. */
    synchronized boolean established(TaskGroup group) {
        return threshold.containsKey(bucket(group));
    }

    /**
     * Whether no plan of a degree of {@code group} whose plans take at least {@code boundS} can make the list: its
     * bound (with room for its own rounding) is strictly slower than the list's threshold, so it can be neither in the
     * list nor tied with its last entry.
     */
    synchronized boolean cannotEnter(TaskGroup group, double boundS) {
        double needed = threshold.getOrDefault(bucket(group), 0.0);
        return needed > 0 && group.globalBatch() / (boundS * (1 - 1e-9)) < needed;
    }
}
