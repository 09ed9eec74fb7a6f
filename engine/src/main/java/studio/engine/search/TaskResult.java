package studio.engine.search;

import java.util.List;

/**
 * One Galvatron search task {@code (bsz, chunk, min_tp, max_tp, vsp, embed_sdp, sp_search)} and its optimum.
 *
 * @param best         the best pipeline degree's candidate (or an infeasible placeholder)
 * @param candidates   every pipeline degree tried, ascending
 * @param throughput   samples/s of the best, 0 when nothing fits
 */
public record TaskResult(int globalBatch, int chunks, int minTp, int maxTp, int vsp, int embedSdp, int spSearch,
                         PpCandidate best, List<PpCandidate> candidates, double throughput) {
    public TaskResult {
        candidates = List.copyOf(candidates);
    }
}
