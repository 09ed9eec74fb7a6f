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

    /** The least memory per GPU, before the cache reserve, that some task's lightest plan needs (MB). */
    public long leastNeedMb() {
        return outcomes.stream().mapToLong(TaskOutcome::leastNeedMb).min().orElse(Integer.MAX_VALUE);
    }

    /**
     * The smallest {@code memory_constraint} (GB) under which the lightest plan fits, with Galvatron's 20 % reserve
     * above 20 GB (so 20 GB can fit what 21-25 GB cannot); -1 when no task has a plan at all.
     */
    public int minimumFeasibleGb() {
        long need = leastNeedMb();
        if (need >= Integer.MAX_VALUE) return -1;
        for (int gb = 1; gb <= 1 << 20; gb++) {
            long total = gb * 1024L;
            long budget = total - (total / 1024 > 20 ? (long) (total * 0.2) : 0);
            if (budget >= need) return gb;
        }
        return -1;
    }

    /** Galvatron's return value: the best throughput, -1 with no tasks, 0 when nothing fits. */
    public double throughput() {
        double max = -1;
        for (TaskOutcome o : outcomes) if (o.throughput() > max) max = o.throughput();
        return max;
    }
}
