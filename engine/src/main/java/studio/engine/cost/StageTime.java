package studio.engine.cost;

/**
 * Where one stage's share of an iteration goes (seconds per iteration): compute (layers and vocabulary modules,
 * recompute included), TP/SP communication, exposed data-parallel communication (gradient reduce tail and ZeRO-3
 * gathers), pipeline send/receive, and the rest of the iteration, during which the stage waits (bubble). Of the
 * TP/SP communication, {@code expertExchangeS} is MoE all-to-alls and expert-TP collectives, {@code ringS} the
 * ring attention's exposed K/V exchange.
 */
public record StageTime(int stage, double computeS, double tpS, double dpS, double p2pS, double bubbleS, double expertExchangeS, double ringS) {
    public StageTime(int stage, double computeS, double tpS, double dpS, double p2pS, double bubbleS) {
        this(stage, computeS, tpS, dpS, p2pS, bubbleS, 0, 0);
    }

    /** Of {@code tpS}, what is Megatron-TP or Ulysses itself (not the experts' exchange nor the ring's). */
    public double tensorParallelOnlyS() { return Math.max(0, tpS - expertExchangeS - ringS); }
}
