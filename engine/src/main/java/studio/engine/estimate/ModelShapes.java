package studio.engine.estimate;

import studio.engine.model.LayerType;
import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;

/**
 * Counts from a model's shape: FLOPs, parameters and activation bytes of one layer and of the vocabulary modules.
 *
 * <p>FLOPs per sample of a layer (forward; a multiply-add is 2 FLOPs): the Q, K and V projections
 * {@code 2 S h (h + 2 kv d)} (GQA-aware: {@code kv} key/value heads of width {@code d = h / heads}), the attention
 * scores and weighted sum {@code 4 S^2 h}, the output projection {@code 2 S h^2}, and the MLP: {@code 6 S h f} for
 * SwiGLU (llama, qwen, mistral: three matrices) or {@code 4 S h f} for two-matrix MLPs (gpt, bert, vit, t5).
 * Parameters: the same matrices plus biases and norms. Activations follow Korthikanti et al., "Reducing Activation
 * Recomputation in Large Transformer Models" (2022), with flash attention (no S^2 term): per sample
 * {@code S h (alpha + beta / t)} bytes without sequence parallelism and {@code S h gamma / t} with it, the checkpointed
 * layer keeps its {@code 2 S h}-byte input; the vocabulary's logits take {@code 12 S V} bytes (bf16 logits, fp32
 * softmax and its gradient). Coefficients are calibrated by {@link Calibration}.
 */
public final class ModelShapes {
    private ModelShapes() {
    }

    public static boolean swiglu(ModelDescription m) {
        return m.family() == ModelFamily.LLAMA_HF;
    }

    static int ffn(ModelDescription m, LayerType t) {
        if (m.layerTypes().size() == 1 && m.ffnHiddenSize() > 0) return m.ffnHiddenSize();
        return 4 * t.hiddenSize();
    }

    static double kvWidth(ModelDescription m, LayerType t) {
        int heads = m.attentionHeads() > 0 ? m.attentionHeads() : Math.max(1, t.hiddenSize() / 64);
        int kv = m.keyValueHeads() > 0 ? m.keyValueHeads() : heads;
        return (double) t.hiddenSize() * kv / heads;
    }

    /** Forward FLOPs of one layer for one sample. */
    public static double layerFlops(ModelDescription m, LayerType t) {
        double s = t.seqLength();
        double h = t.hiddenSize();
        double f = ffn(m, t);
        double attnSeq = m.family() == ModelFamily.SWIN ? Math.min(s, 49) : s; // Swin attends within 7x7 windows
        double flops = 2 * s * h * (h + 2 * kvWidth(m, t)) + 4 * s * attnSeq * h + 2 * s * h * h
                + (swiglu(m) ? 6 : 4) * s * h * f;
        if (m.family() == ModelFamily.T5 && m.layerTypes().indexOf(t) == 1) flops += 2 * s * h * h * 4 + 4 * s * s * h; // cross-attention
        return flops;
    }

    /** Parameters of one layer. */
    public static double layerParams(ModelDescription m, LayerType t) {
        double h = t.hiddenSize();
        double f = ffn(m, t);
        double kv = kvWidth(m, t);
        if (swiglu(m)) return h * (h + 2 * kv) + h * h + 3 * h * f + 2 * h;
        double p = h * (h + 2 * kv) + (h + 2 * kv) + h * h + h + 2 * h * f + f + h + 4 * h;
        if (m.family() == ModelFamily.T5 && m.layerTypes().indexOf(t) == 1) p += 4 * h * h;
        return p;
    }

    /** Vocabulary rows the model allocates (gpt pads to a multiple of 128). */
    public static double vocabRows(ModelDescription m) {
        // a model that does not say its vocabulary is estimated with LLaMA's
        return m.vocabSize() > 0 ? m.vocabRows() : 32000;
    }

    /** Parameters of the embedding (and positions) and of the head plus final norm. */
    public static double[] vocabParams(ModelDescription m) {
        double h = m.hiddenSize();
        double v = vocabRows(m);
        double positions = m.family() == ModelFamily.LLAMA_HF ? 0 : m.maxSeqLength() * h;
        return new double[] {v * h + positions, v * h + 2 * h};
    }

    /**
     * The model FLOPs one training sample costs (forward and backward, 3x the forward; recomputation not counted, as
     * model FLOPs utilisation defines it).
     */
    public static double trainingFlopsPerSample(ModelDescription m) {
        double forward = vocabFlops(m);
        for (int l = 0; l < m.totalLayers(); l++) forward += layerFlops(m, m.layerTypes().get(m.typeOfLayer(l)));
        return 3 * forward;
    }

    /** Forward FLOPs of the head for one sample (the embedding is a lookup). */
    public static double vocabFlops(ModelDescription m) {
        return 2.0 * m.maxSeqLength() * m.hiddenSize() * vocabRows(m);
    }
}
