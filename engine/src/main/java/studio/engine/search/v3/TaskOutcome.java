package studio.engine.search.v3;

import studio.engine.plan.v3.HybridStrategy;
import studio.engine.plan.v3.Plan3;

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

    public boolean found() { return throughput > 0; }

    /** The optimum as a plan: its layers over its division, the task's batch and chunks, the settings' schedule. */
    public Plan3 plan(SearchSettings settings) {
        if (!found()) throw new IllegalStateException("task " + task + " has no plan");
        return new Plan3(layers, java.util.Arrays.stream(stageLayers).boxed().toList(), task.batch(), task.chunks(),
                settings.cost().pipelineType(), settings.defaultDpType(), vocabulary);
    }

    static TaskOutcome empty(SearchTask task, double throughput, int[] stageLayers, long leastNeedMb) {
        int[] none = new int[task.pp()];
        java.util.Arrays.fill(none, -1);
        return new TaskOutcome(task, throughput, Double.POSITIVE_INFINITY, none, none.clone(), null, List.of(), stageLayers, leastNeedMb);
    }
}
