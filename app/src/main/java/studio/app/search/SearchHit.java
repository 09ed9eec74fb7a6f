package studio.app.search;

import studio.engine.plan.ParallelPlan;

/** One plan of a search's result list. */
public record SearchHit(String label, int globalBatch, int rank, ParallelPlan plan, double throughput, double iterationS,
                        int peakMemoryMb, int minTp, int maxTp) {
    public int pp() { return plan.pp(); }

    public int chunks() { return plan.chunks(); }
}
