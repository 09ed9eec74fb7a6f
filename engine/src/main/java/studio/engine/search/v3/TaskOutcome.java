package studio.engine.search.v3;

import studio.engine.plan.v3.HybridStrategy;

import java.util.List;

/**
 * The optimum of one sub-search (v3 spec §6.3 - §6.5). {@code throughput} is -1 when the task has no strategies,
 * 0 when nothing fits; then the plan is empty and the vocabulary strategy null.
 *
 * @param memoryUsedMb   per stage, budget minus what is left plus the cache reserve (Galvatron's memory cost)
 * @param memoryRemainMb per stage, what the knapsack left
 * @param leastNeedMb    the least memory per GPU (before the cache reserve) any plan of this task needs: each layer at its
 *                       lightest strategy, the lightest vocabulary; {@code Integer.MAX_VALUE} without strategies
 */
public record TaskOutcome(SearchTask task, double throughput, double iterationTimeS, int[] memoryUsedMb, int[] memoryRemainMb,
                          HybridStrategy vocabulary, List<HybridStrategy> layers, int[] stageLayers, long leastNeedMb) {
    public TaskOutcome {
        layers = List.copyOf(layers);
    }

    TaskOutcome withLeastNeed(long mb) {
        return new TaskOutcome(task, throughput, iterationTimeS, memoryUsedMb, memoryRemainMb, vocabulary, layers, stageLayers, mb);
    }

    public boolean found() { return throughput > 0; }

    static TaskOutcome empty(SearchTask task, double throughput, int[] stageLayers) {
        int[] none = new int[task.pp()];
        java.util.Arrays.fill(none, -1);
        return new TaskOutcome(task, throughput, Double.POSITIVE_INFINITY, none, none.clone(), null, List.of(), stageLayers, Integer.MAX_VALUE);
    }
}
