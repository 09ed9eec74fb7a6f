package studio.engine.estimate;

import studio.engine.model.ModelDescription;

/**
 * The constants that turn shape counts into A100 numbers, fitted (minimax relative error) to Galvatron's measured
 * A100 profiles shipped in sample-configs: llama-7b for the llama family, gpt-1.5b, 2.7b and 6.7b for the others.
 * {@code CalibrationTest} refits them from those files and checks them.
 *
 * <p>Compute efficiency (achieved / dense peak) grows with the hidden size: {@code e * x / (1 + x)} with
 * {@code x = (h / 1712)^2} (1712 from the gpt sizes). Vocabulary modules run at a flat efficiency.
 */
public record Calibration(double layerEfficiencyLlama, double layerEfficiencyOther, double vocabEfficiencyLlama,
                          double vocabEfficiencyOther, double activationAlphaLlama, double activationBetaLlama,
                          double activationGammaLlama, double activationAlphaOther, double activationBetaOther,
                          double activationGammaOther, double statesScale, double checkpointExtraMb,
                          double checkpointSpBytesOther) {
    public static final double H0 = 1712;

    /** Fitted to the shipped A100 measurements (see the class comment). */
    public static Calibration a100() {
        return new Calibration(0.6377, 0.8118, 0.5606, 0.5061, 8.0, 29.6, 54.8, 10.48, 25.15, 35.0, 1.04, 0.4, 2.5);
    }

    public double layerEfficiency(ModelDescription m, int hidden) {
        return layerEfficiency(ModelShapes.swiglu(m), hidden);
    }

    /** The same for a layer of SwiGLU ({@code gated}, the llama fit) or two-matrix MLPs. */
    public double layerEfficiency(boolean gated, int hidden) {
        double x = (hidden / H0) * (hidden / H0);
        return (gated ? layerEfficiencyLlama : layerEfficiencyOther) * x / (1 + x);
    }

    public double vocabEfficiency(ModelDescription m) {
        return ModelShapes.swiglu(m) ? vocabEfficiencyLlama : vocabEfficiencyOther;
    }

    /** Bytes per (seq x hidden) element a checkpointed layer keeps: its bf16 input, more for gpt under Megatron-SP. */
    public double checkpointBytes(ModelDescription m, boolean sequenceParallel) {
        return checkpointBytes(ModelShapes.swiglu(m), sequenceParallel);
    }

    public double checkpointBytes(boolean gated, boolean sequenceParallel) {
        return sequenceParallel && !gated ? checkpointSpBytesOther : 2.0;
    }

    /** Activation bytes per sample per (seq x hidden) element at TP degree t. */
    public double activationFactor(ModelDescription m, int t, boolean sequenceParallel) {
        return activationFactor(ModelShapes.swiglu(m), t, sequenceParallel);
    }

    /** The same for the llama fit ({@code gated}) or the others'. */
    public double activationFactor(boolean llama, int t, boolean sequenceParallel) {
        if (sequenceParallel) return (llama ? activationGammaLlama : activationGammaOther) / t;
        return llama ? activationAlphaLlama + activationBetaLlama / t : activationAlphaOther + activationBetaOther / t;
    }
}
