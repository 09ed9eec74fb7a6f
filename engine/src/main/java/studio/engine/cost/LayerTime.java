package studio.engine.cost;

/**
 * Time of one layer for one micro-batch, in seconds, and its components (ms for the micro-batch).
 *
 * @param forwardMs      forward compute
 * @param backwardMs     backward compute (plus recompute when checkpointed)
 * @param tpMs           TP / Ulysses communication
 * @param p2pMs          this layer's share of the pipeline send/receive
 * @param totalS         with gradient synchronisation (what the knapsack minimises)
 * @param noCommS        without gradient synchronisation (what the pipeline model uses)
 * @param expertExchangeMs of {@code tpMs}, an MoE layer's all-to-alls and expert-TP collectives
 * @param ringMs           of {@code tpMs}, the exposed ring-attention K/V exchange of context parallelism
 */
public record LayerTime(double forwardMs, double backwardMs, double tpMs, double p2pMs, double totalS, double noCommS,
                        double expertExchangeMs, double ringMs) {
    /** A layer without experts or ring. */
    public LayerTime(double forwardMs, double backwardMs, double tpMs, double p2pMs, double totalS, double noCommS) {
        this(forwardMs, backwardMs, tpMs, p2pMs, totalS, noCommS, 0, 0);
    }

    /** Exposed DP time: gradient sync and ZeRO-3 gathers not hidden behind compute. */
    public double dpMs() {
        return Math.max(0, totalS * 1000 - forwardMs - backwardMs - tpMs - p2pMs);
    }
}
