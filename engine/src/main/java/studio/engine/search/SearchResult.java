package studio.engine.search;

import studio.engine.plan.ParallelPlan;

import java.util.List;

/**
 * What a search found.
 *
 * @param plan             the chosen plan, null when nothing fits
 * @param best             the winning task, null when nothing fits
 * @param tasks            every task in Galvatron's order (empty when they were streamed instead: see {@code taskCount})
 * @param minimumFeasibleGb when nothing fits: the smallest --memory_constraint at which the least memory-hungry
 *                          candidate seen would fit (0 when unknown)
 * @param leastMemoryMb    when nothing fits: that candidate's per-GPU need in MB
 * @param elapsedMs        wall time of the search
 * @param taskCount        sub-searches run
 * @param notSearched      pipeline degrees left out, as no plan of theirs could beat one found before (a galvatron-v2
 *                          batch sweep) or make the caller's list (a studio search, see {@code SearchEngine.listingPerBatch})
 */
public record SearchResult(ParallelPlan plan, TaskResult best, List<TaskResult> tasks, int minimumFeasibleGb, int leastMemoryMb,
                           String leastMemoryCandidate, long elapsedMs, int taskCount, int notSearched) {
    public SearchResult {
        tasks = List.copyOf(tasks);
    }

    public boolean found() { return plan != null; }

    public double throughput() { return best == null ? 0 : best.throughput(); }
}
