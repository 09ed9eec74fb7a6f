package studio.engine.model;

/**
 * Exact parameter counts of an {@link Architecture}, matrix by matrix as the checkpoint stores them (docs/PARAMETERS.md
 * gives each term): attention (Q, K, V, O, biases, QK norms; or MLA's low-rank projections and their norms), the two
 * norms of a layer, the MLP (gated: gate, up and down; else up and down), or for MoE layers the router, every routed
 * expert and the shared experts; the embedding (and learned positions), the final norm and an untied LM head.
 */
public final class ParameterCount {
    private final Architecture a;

    public ParameterCount(Architecture architecture) {
        this.a = architecture;
    }

    private long norm() { return a.layerNorm() ? 2L * a.hiddenSize() : a.hiddenSize(); }

    /** The attention block of one layer (its projections, biases and QK norms). */
    public long attention() {
        long h = a.hiddenSize();
        long heads = a.attentionHeads();
        if (a.mla() != null) {
            Architecture.Mla m = a.mla();
            long qk = m.noPositionHeadDim() + m.rotaryHeadDim();
            long q = m.queryLoraRank() > 0 ? h * m.queryLoraRank() + m.queryLoraRank() + m.queryLoraRank() * heads * qk : h * heads * qk;
            long kvDown = h * (m.keyValueLoraRank() + m.rotaryHeadDim()) + m.keyValueLoraRank();
            long kvUp = (long) m.keyValueLoraRank() * heads * (m.noPositionHeadDim() + m.valueHeadDim());
            long out = heads * m.valueHeadDim() * h + (a.linearBias() ? h : 0);
            return q + kvDown + kvUp + out;
        }
        long qWidth = heads * a.headDim();
        long kvWidth = (long) a.keyValueHeads() * a.headDim();
        long p = h * qWidth + 2 * h * kvWidth + qWidth * h;
        if (a.attentionBias()) p += qWidth + 2 * kvWidth;
        if (a.linearBias()) p += h;
        if (a.qkNorm()) p += 2L * a.headDim();
        return p;
    }

    /** A dense MLP of width {@code ffn}. */
    private long mlp(long ffn) {
        long h = a.hiddenSize();
        if (a.gatedMlp()) return 3 * h * ffn + (a.linearBias() ? 2 * ffn + h : 0);
        return 2 * h * ffn + (a.linearBias() ? ffn + h : 0);
    }

    /** One routed expert. */
    public long expert() { return mlp(a.moe().expertFfn()); }

    /** The MoE block's parameters every token uses: the router and the shared experts. */
    public long moeDense() {
        Architecture.Moe m = a.moe();
        return (long) a.hiddenSize() * m.experts() + (m.sharedExpertFfn() > 0 ? mlp(m.sharedExpertFfn()) : 0);
    }

    /** Layer {@code layer}: attention, two norms and its MLP or MoE block with all experts. */
    public long layer(int layer) {
        long p = attention() + 2 * norm();
        if (a.isMoeLayer(layer)) return p + moeDense() + (long) a.moe().experts() * expert();
        return p + mlp(a.ffnHiddenSize());
    }

    /** The routed experts of layer {@code layer} (0 for a dense layer): what expert parallelism splits. */
    public long expertParameters(int layer) {
        return a.isMoeLayer(layer) ? (long) a.moe().experts() * expert() : 0;
    }

    /** What one token passes through in layer {@code layer}: the top-k experts instead of all. */
    /**
     * Forward FLOPs of one token through layer {@code layer} at sequence length {@code seq}: two a parameter a token
     * is routed through ({@link #activeLayer}; norms and biases counted alike, a rounding), plus the attention scores
     * and weighted sum ({@link #attentionFlopsPerToken}).
     */
    public double forwardFlopsPerToken(int layer, int seq) {
        return 2.0 * activeLayer(layer) + attentionFlopsPerToken(seq);
    }

    /** The attention scores and weighted sum of one token over a sequence of {@code seq}: {@code 4 S q}, q the query width. */
    public double attentionFlopsPerToken(int seq) {
        return 4.0 * seq * a.attentionHeads() * a.headDim();
    }

    public long activeLayer(int layer) {
        if (!a.isMoeLayer(layer)) return layer(layer);
        return attention() + 2 * norm() + moeDense() + (long) a.moe().topK() * expert();
    }

    /** The token embedding and learned positions. */
    public long embedding() {
        return (long) a.vocabSize() * a.hiddenSize() + (long) a.learnedPositions() * a.hiddenSize();
    }

    /** The final norm and an untied LM head (a tied head is the embedding). */
    public long head() {
        return norm() + (a.tiedEmbeddings() ? 0 : (long) a.vocabSize() * a.hiddenSize());
    }

    public long total() {
        long p = embedding() + head();
        for (int l = 0; l < a.layers(); l++) p += layer(l);
        return p;
    }

    /** Parameters one token uses: every dense part, the router, the shared and the top-k routed experts. */
    public long activePerToken() {
        long p = embedding() + head();
        for (int l = 0; l < a.layers(); l++) p += activeLayer(l);
        return p;
    }

    /**
     * The parameters one GPU holds of layer {@code layer} under Megatron-TP {@code tp} (linear weights split, norms,
     * the router and QK norms replicated; Ulysses splits nothing, so pass 1) and ZeRO-3 over {@code zero3Group} (1
     * when not sharded), and of its routed experts under expert parallelism {@code ep} with expert TP {@code tpOfEp}
     * (experts split over ep, each over its TP) and ZeRO-3 over their own group {@code expertZero3Group}: the 3.0
     * runtime shards them over its expert-data-parallel group ({@code dp_of_ep}), not the layer's.
     */
    public double layerPerGpu(int layer, int tp, int zero3Group, int ep, int tpOfEp, int expertZero3Group) {
        double replicated = 2 * norm() + (a.qkNorm() && a.mla() == null ? 2.0 * a.headDim() : 0);
        double p = (attention() - (a.qkNorm() && a.mla() == null ? 2.0 * a.headDim() : 0)) / tp + replicated;
        double experts = 0;
        if (a.isMoeLayer(layer)) {
            Architecture.Moe m = a.moe();
            p += (double) a.hiddenSize() * m.experts() + (m.sharedExpertFfn() > 0 ? (double) mlp(m.sharedExpertFfn()) / tp : 0);
            experts = (double) m.experts() / ep * expert() / tpOfEp;
        } else {
            p += (double) mlp(a.ffnHiddenSize()) / tp;
        }
        return p / zero3Group + experts / expertZero3Group;
    }
}
