package studio.engine.search;

import java.util.List;

/**
 * One Galvatron search task {@code (bsz, chunk, min_tp, max_tp, vsp, embed_sdp, sp_search)} and its optimum.
 *
 * @param best         the best pipeline degree's candidate (or an infeasible placeholder)
 * @param candidates   every pipeline degree tried, ascending
 * @param throughput   samples/s of the best, 0 when nothing fits
 */
public record TaskResult(int globalBatch, int chunks, int minTp, int maxTp, boolean vocabUlysses, boolean vocabZero3, studio.engine.cost.SpSearch spSearch,
                         PpCandidate best, List<PpCandidate> candidates, double throughput) {
    public TaskResult {
        candidates = List.copyOf(candidates);
    }

    /**
     * Samples/s by what the search ranks plans by (Galvatron's cost in galvatron-v2 mode; in studio mode also the
     * schedule's bound), 0 when nothing fits: the order in which the search, and every list of its results, prefers
     * sub-searches.
     */
    public double rankThroughput() { return best.rankS() < Double.POSITIVE_INFINITY ? globalBatch / best.rankS() : 0.0; }

    /** Galvatron's {@code vsp} as its logs print it (0 or 1). */
    public int vsp() { return vocabUlysses ? 1 : 0; }

    /** Galvatron's {@code embed_sdp} as its logs print it (0 or 1). */
    public int embedSdp() { return vocabZero3 ? 1 : 0; }

    /** The plan this sub-search chose: its best candidate at its batch and chunks (the one conversion, for every caller). */
    public studio.engine.plan.ParallelPlan plan(PpCandidate c, studio.engine.plan.PipelineType pipeline, studio.engine.plan.DpType dpType) {
        return new studio.engine.plan.ParallelPlan(c.layers(), c.division(), globalBatch, chunks, c.vocabTp(), vocabUlysses(), vocabZero3(),
                pipeline, dpType, null);
    }

    public studio.engine.plan.ParallelPlan plan(studio.engine.plan.PipelineType pipeline, studio.engine.plan.DpType dpType) {
        return plan(best, pipeline, dpType);
    }
}
