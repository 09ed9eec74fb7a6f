package studio.engine.model;

/**
 * A decoder's architecture as its parameters are laid out: what a parameter count needs, dense or mixture-of-experts,
 * standard (MHA / GQA) or multi-head latent attention. Read from a Hugging Face {@code config.json}, a Galvatron 3.0
 * model YAML or a Galvatron meta config ({@link ArchitectureReader}).
 *
 * @param headDim          width of one attention head (HF {@code head_dim}, Galvatron's {@code kv_channels})
 * @param ffnHiddenSize    width of a dense MLP
 * @param attentionBias    biases on the Q, K and V projections
 * @param linearBias       biases on the attention output and the MLP matrices (and, with {@code attentionBias}, GPT-2's QKV)
 * @param layerNorm        LayerNorm (weight and bias) rather than RMSNorm (weight only)
 * @param qkNorm           a norm over each head's queries and keys (Qwen3)
 * @param learnedPositions rows of a learned position embedding (GPT-2), 0 for rotary
 * @param moe              the experts, or null for a dense model
 * @param mla              multi-head latent attention (DeepSeek), or null for standard attention
 */
public record Architecture(String name, int hiddenSize, int layers, int attentionHeads, int keyValueHeads, int headDim, int ffnHiddenSize,
                           int vocabSize, boolean tiedEmbeddings, boolean gatedMlp, boolean attentionBias, boolean linearBias,
                           boolean layerNorm, boolean qkNorm, int learnedPositions, Moe moe, Mla mla) {
    public Architecture {
        if (hiddenSize < 1 || layers < 1 || attentionHeads < 1 || keyValueHeads < 1 || headDim < 1 || vocabSize < 1) {
            throw new IllegalArgumentException(name + ": hidden " + hiddenSize + ", layers " + layers + ", heads " + attentionHeads
                    + ", key/value heads " + keyValueHeads + ", head width " + headDim + ", vocabulary " + vocabSize + ": expected positive sizes");
        }
        if (attentionHeads % keyValueHeads != 0) {
            throw new IllegalArgumentException(name + ": " + attentionHeads + " heads are not a multiple of " + keyValueHeads + " key/value heads");
        }
    }

    /** The same shape under another name (the name a user's files use). */
    public Architecture withName(String newName) {
        return new Architecture(newName, hiddenSize, layers, attentionHeads, keyValueHeads, headDim, ffnHiddenSize, vocabSize, tiedEmbeddings, gatedMlp,
                attentionBias, linearBias, layerNorm, qkNorm, learnedPositions, moe, mla);
    }

    /**
     * Mixture-of-experts MLPs.
     *
     * @param experts          routed experts per MoE layer
     * @param topK             experts each token is routed to
     * @param expertFfn        width of one routed expert
     * @param sharedExpertFfn  total width of the shared experts every token passes (0 for none)
     * @param firstDenseLayers leading layers with a dense MLP instead (DeepSeek's {@code first_k_dense_replace})
     */
    public record Moe(int experts, int topK, int expertFfn, int sharedExpertFfn, int firstDenseLayers) {
        public Moe {
            if (experts < 1 || topK < 1 || topK > experts || expertFfn < 1 || sharedExpertFfn < 0 || firstDenseLayers < 0) {
                throw new IllegalArgumentException("experts " + experts + ", top-k " + topK + ", expert width " + expertFfn
                        + ": expected 1 <= top-k <= experts and positive widths");
            }
        }
    }

    /** Multi-head latent attention: low-rank queries (0: full) and key/values, split no-position and rotary widths. */
    public record Mla(int queryLoraRank, int keyValueLoraRank, int noPositionHeadDim, int rotaryHeadDim, int valueHeadDim) {
    }

    public boolean isMoe() { return moe != null; }

    /** Whether layer {@code layer} (0 first) has routed experts. */
    public boolean isMoeLayer(int layer) { return moe != null && layer >= moe.firstDenseLayers(); }

    /** Galvatron's runtime builds standard attention only: an MLA model is planned as a what-if, never exported as runnable. */
    public boolean runnableByGalvatron() { return mla == null; }
}
