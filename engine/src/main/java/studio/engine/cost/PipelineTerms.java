package studio.engine.cost;

/**
 * Per-stage sums the closed-form pipeline model works on (search-engine spec §5.5, v3 §5.5): {@code F_i} (layers with
 * their gradient sync) and {@code K_i} (layers without it, plus the vocabulary's time), the micro-batches run, and the
 * iteration time the formula gives.
 */
public record PipelineTerms(double[] fullS, double[] computeS, int realChunks, double iterationS) {
}
