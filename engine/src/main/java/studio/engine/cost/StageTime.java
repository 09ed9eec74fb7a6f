package studio.engine.cost;

/**
 * Where one stage's share of an iteration goes (seconds per iteration): compute (layers and vocabulary modules,
 * recompute included), TP/SP communication, exposed data-parallel communication (gradient reduce tail and ZeRO-3
 * gathers), pipeline send/receive, and the rest of the iteration, during which the stage waits (bubble).
 */
public record StageTime(int stage, double computeS, double tpS, double dpS, double p2pS, double bubbleS) {
}
