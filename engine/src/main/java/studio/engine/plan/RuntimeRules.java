package studio.engine.plan;

import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules of Galvatron's runtime that one layer's strategy, or the vocabulary's TP degree, can break on its own
 * (profiler-runtime spec §0 and §4.3): written once, for the pre-flight validator and for the search, which leaves
 * out what would not run.
 */
public final class RuntimeRules {
    private RuntimeRules() {
    }

    /**
     * What a layer's strategy breaks on stages of {@code stageGpus} GPUs.
     *
     * @param sequenceParallel check Megatron SP's sequence split by the layer's TP degree (the validator checks it
     *                         with the vocabulary's degree together, so it passes false)
     * @param layer            the layer the violations name (-1: none)
     */
    public static List<RuleViolation> layer(LayerStrategy s, int stageGpus, ModelDescription model, boolean sequenceParallel, int layer) {
        // empty, and allocated only when a rule is broken: the validator runs this for every layer of every evaluation
        List<RuleViolation> v = List.of();
        int t = s.tp();
        int heads = model.attentionHeads();
        if (s.hasStridedTp() && t > 1 && t < stageGpus) {
            v = add(v, new RuleViolation(9, layer, "tp " + t + " on " + stageGpus + "-GPU stages with non-consecutive TP groups: the v2 runtime never "
                    + "creates such groups and crashes while building the model; use consecutive groups (flag 1)"));
        }
        if (s.isUlysses()) {
            // the sequence length is derived from the layer types on each call: read it only where a rule needs it
            int seq = model.maxSeqLength();
            if (heads > 0 && heads % t != 0) v = add(v, new RuleViolation(12, layer, "Ulysses degree " + t + " does not divide " + heads + " attention heads"));
            if (seq % t != 0) v = add(v, new RuleViolation(12, layer, "Ulysses degree " + t + " does not divide sequence length " + seq));
            if (model.family() != ModelFamily.LLAMA_HF) v = add(v, new RuleViolation(12, layer, "Ulysses SP is only supported for llama_hf models in v2"));
        } else if (t > 1) {
            int kv = model.keyValueHeads();
            int ffn = model.ffnHiddenSize();
            if (heads > 0 && heads % t != 0) v = add(v, new RuleViolation(13, layer, "tp " + t + " does not divide " + heads + " attention heads"));
            if (kv > 0 && kv % t != 0) v = add(v, new RuleViolation(13, layer, "tp " + t + " does not divide " + kv + " key/value heads (NotImplementedError)"));
            if (ffn > 0 && ffn % t != 0) v = add(v, new RuleViolation(13, layer, "tp " + t + " does not divide the MLP width " + ffn));
            if (sequenceParallel && model.maxSeqLength() % t != 0) {
                v = add(v, new RuleViolation(14, layer, "with --sequence-parallel the sequence length " + model.maxSeqLength()
                        + " must be divisible by tp " + t));
            }
        }
        return v;
    }

    /** What a vocabulary TP degree breaks: the padded vocabulary rows must split evenly (and the sequence, under SP). */
    public static List<RuleViolation> vocabulary(int vtp, ModelDescription model, boolean sequenceParallel) {
        List<RuleViolation> v = List.of();
        int rows = model.vocabRows();
        if (rows > 0 && rows % vtp != 0) v = add(v, new RuleViolation(16, -1, "the " + rows + " vocabulary rows are not divisible by vtp " + vtp));
        if (sequenceParallel && model.maxSeqLength() % vtp != 0) {
            v = add(v, new RuleViolation(14, -1, "with --sequence-parallel the sequence length " + model.maxSeqLength() + " must be divisible by vtp " + vtp));
        }
        return v;
    }

    private static List<RuleViolation> add(List<RuleViolation> v, RuleViolation r) {
        List<RuleViolation> out = v.isEmpty() ? new ArrayList<>(2) : v;
        out.add(r);
        return out;
    }
}
