package studio.engine.cost.v3;

import studio.engine.plan.v3.HybridStrategy;

/**
 * The studio's context-parallel model (docs/CONTEXT_PARALLEL.md), in place of Galvatron 3.0's, which does not cost
 * cp at all (quirk Q-v3-4). With cp, each GPU of a cp group holds S / cp tokens of every sequence (zigzag: balanced
 * causal work), so a layer's compute and activations per GPU are the profiled ones divided by cp, and its
 * messages (TP all-gathers, Ulysses all-to-alls) carry S / cp tokens. Ring attention passes the K/V blocks round the
 * group: cp - 1 steps in forward, each sending the local K and V (lbsz x S/cp x kv width), and cp - 1 in backward
 * sending K, V and their gradients (twice the bytes); each step overlaps the attention over the block in hand, so
 * only the part of a send that outlasts that attention is exposed. The group holds two extra K/V blocks (the one
 * received while the one in hand is used).
 */
public final class RingAttention {
    private final CostInputs in;

    public RingAttention(CostInputs in) { this.in = in; }

    /**
     * What the ring needs of the model.
     *
     * @param kvWidth         key/value heads x head width (GQA: fewer than the hidden size)
     * @param attentionShare  the share of a layer's forward FLOPs in the attention scores and weighted sum at the
     *                        searched length ({@code 4 S^2 h} of {@code ModelShapes.layerFlops}), what overlaps a step
     */
    public record Shape(int kvWidth, double attentionShare) {
        public Shape {
            if (kvWidth < 1 || !(attentionShare >= 0 && attentionShare < 1)) {
                throw new IllegalArgumentException("ring attention shape: kv width " + kvWidth + ", attention share " + attentionShare);
            }
        }

        /**
         * From the model at sequence length {@code seq}: the share of a token's forward FLOPs
         * ({@code ParameterCount.forwardFlopsPerToken}, an MoE layer's through its top-k experts) in the attention
         * scores and weighted sum ({@code 4 S q}).
         */
        public static Shape of(studio.engine.model.Architecture a, int seq) {
            var count = new studio.engine.model.ParameterCount(a);
            int layer = a.isMoe() ? a.moe().firstDenseLayers() : 0;
            return new Shape(a.keyValueHeads() * a.headDim(), count.attentionFlopsPerToken(seq) / count.forwardFlopsPerToken(layer, seq));
        }
    }

    boolean active(HybridStrategy s) {
        return in.settings().ring() != null && s.cp() > 1;
    }

    /** The divisor of the layer's compute, activations and message sizes: cp under the ring model, else 1. */
    int split(HybridStrategy s) {
        return active(s) ? s.cp() : 1;
    }

    /** MB of one K/V block: lbsz x S/cp tokens x kv width x 2 (K and V) x element bytes. */
    double blockMb(HybridStrategy s, int localBatch) {
        CostSettings cs = in.settings();
        return (double) ((long) localBatch * (cs.seqLength() / s.cp()) * cs.ring().kvWidth() * 2 * cs.activationBytes()) / 1024 / 1024;
    }

    /**
     * Exposed ring time of one layer for one micro-batch, ms: forward and backward steps, each the send less the
     * attention it hides behind.
     *
     * @param forwardMs the layer's forward compute on this GPU (already divided by cp)
     */
    public double exposedMs(HybridStrategy s, int localBatch, double forwardMs) {
        if (!active(s)) return 0;
        int steps = s.cp() - 1;
        double perMb = in.p2pMsPerMb(s.cp());
        double send = blockMb(s, localBatch) * perMb;
        double attentionStep = forwardMs * in.settings().ring().attentionShare() / s.cp();
        double forward = steps * Math.max(0, send - attentionStep);
        double backward = steps * Math.max(0, 2 * send - 2 * attentionStep);
        return forward + backward;
    }

    /** The two K/V blocks a GPU holds besides its own, MB (per micro-batch in flight). */
    public double bufferMb(HybridStrategy s, int localBatch) {
        return active(s) ? 2 * blockMb(s, localBatch) : 0;
    }
}
