package studio.engine.search.v3;

import java.util.List;

/**
 * A whole Galvatron 3.0 search: the strategy lists, every task's optimum in task order, and the winner (the first
 * strictly highest throughput above 0), or null when nothing fits.
 */
public record Search3Result(StrategyEnumeration strategies, List<SearchTask> tasks, List<TaskOutcome> outcomes, TaskOutcome best,
                            long elapsedMs) {
    public Search3Result {
        tasks = List.copyOf(tasks);
        outcomes = List.copyOf(outcomes);
    }

    public boolean found() { return best != null; }

    /** Galvatron's return value: the best throughput, -1 with no tasks, 0 when nothing fits. */
    public double throughput() {
        double max = -1;
        for (TaskOutcome o : outcomes) if (o.throughput() > max) max = o.throughput();
        return max;
    }
}
