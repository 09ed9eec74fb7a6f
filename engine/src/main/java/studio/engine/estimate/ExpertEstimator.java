package studio.engine.estimate;

import studio.engine.cost.v3.ExpertLayer;
import studio.engine.model.Architecture;
import studio.engine.model.LayerType;
import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;
import studio.engine.model.ParameterCount;
import studio.engine.model.Precision;
import studio.engine.plan.DpType;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.v3.ModelProfile;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Profiles of an MoE decoder, which Galvatron's profiler does not measure, estimated from its shape
 * (docs/EXPERT_PARALLEL.md): the layer's dense part (attention, norms, router, shared experts) as a 3.0
 * {@link ModelProfile}, and its routed experts as an {@link ExpertLayer.Shape}.
 *
 * <p>Compute: FLOPs over the GPU's dense peak at the efficiency {@link Calibration} fitted on Galvatron's measured
 * A100 layers of the same MLP kind; the dense part's forward is {@code ParameterCount.forwardFlopsPerToken} less the
 * top-k experts', times S, a sample ({@code 2 S P_dense + 4 S^2 q}), one token through one expert {@code 2 P_expert}.
 * Activations, bytes a token (bf16): the dense part keeps {@code 8 h + 4 q + 4 kv} (norm inputs and outputs, Q, K, V,
 * the attention output), a dense SwiGLU MLP {@code 8 f}; the ratio of Galvatron's measured llama-7b activations to
 * the same count of its shape (h 4096, f 11008) calibrates both, so a dense llama estimated this way matches the
 * measurement it was fitted on.
 */
public final class ExpertEstimator {
    private static final double MB = 1024.0 * 1024.0;
    /** Switch Transformer's training capacity factor (Fedus et al., 2021), when the model sets none. */
    public static final double DEFAULT_IMBALANCE = 1.25;
    private final Calibration calibration;

    public ExpertEstimator(Calibration calibration) { this.calibration = calibration; }

    /** What was estimated, and from what. */
    public record Estimate(ModelProfile dense, ExpertLayer.Shape experts, String description) {
    }

    /** Bytes the calibration keeps for each counted byte: llama-7b's measured Megatron-SP activation over its count. */
    public double activationScale() {
        double reference = 16 + 8 * 11008.0 / 4096; // 8h + 4q + 4kv with q = kv = h, plus the SwiGLU 8f, in units of h
        return calibration.activationFactor(true, 1, true) / reference;
    }

    /**
     * @param loadImbalance the busiest expert-parallel rank's load over the mean; null: the model's capacity factor, else
     *                      {@link #DEFAULT_IMBALANCE}
     * @param capacityFactor the model's {@code moe_expert_capacity_factor} (tokens above it are dropped), or null
     */
    public Estimate estimate(Architecture a, int seq, Precision precision, GpuSpec gpu, int maxDegree, boolean sequenceParallel,
                             DpType plainDpType, int gpusPerNode, Double loadImbalance, Double capacityFactor) {
        if (!a.isMoe()) throw new IllegalArgumentException(a.name() + " has no experts to estimate");
        ParameterCount count = new ParameterCount(a);
        double h = a.hiddenSize();
        double q = (double) a.attentionHeads() * a.headDim();
        double kv = (double) a.keyValueHeads() * a.headDim();
        double peakFlops = gpu.denseTflops(precision) * 1e12 * calibration.layerEfficiency(a.gatedMlp(), a.hiddenSize());

        int moeLayer = a.moe().firstDenseLayers();
        long denseParameters = count.layer(moeLayer) - count.expertParameters(moeLayer);
        // what a token costs besides its top-k experts
        double denseFlops = seq * (count.forwardFlopsPerToken(moeLayer, seq) - 2.0 * a.moe().topK() * count.expert());
        ForwardTime layerForward = ForwardTime.perSample(denseFlops / peakFlops * 1e3);

        double sharedBytes = a.moe().sharedExpertFfn() > 0 ? (a.gatedMlp() ? 8.0 : 4.0) * a.moe().sharedExpertFfn() : 0;
        double bytesPerToken = (8 * h + 4 * q + 4 * kv + sharedBytes) * activationScale();
        if (!precision.mixed()) bytesPerToken *= 2;
        Map<Integer, Double> activation = new TreeMap<>();
        for (int t = 1; t <= Math.max(1, maxDegree); t *= 2) {
            // without Megatron-SP the norms and residuals stay whole on every TP rank: the calibration's alpha + beta / t
            double share = sequenceParallel ? 1.0 / t : calibration.activationFactor(true, t, false) / calibration.activationFactor(true, 1, true);
            activation.put(t, seq * bytesPerToken * share / MB);
        }
        double checkpointMb = calibration.checkpointBytes(true, sequenceParallel) * seq * h / MB + calibration.checkpointExtraMb();

        ModelDescription description = new ModelDescription(a.name(), a.gatedMlp() ? ModelFamily.LLAMA_HF : ModelFamily.GPT_HF,
                List.of(new LayerType(a.hiddenSize(), seq, a.layers())), a.hiddenSize(), a.attentionHeads(), a.keyValueHeads(),
                a.ffnHiddenSize(), a.vocabSize());
        ProfileEstimator vocabulary = new ProfileEstimator(calibration);
        ProfileEstimator.OtherTables other = vocabulary.otherMemory(description, Math.max(1, maxDegree));
        ForwardTime otherForward = ForwardTime.perSample(vocabulary.vocabMs(description, gpu, precision.configName()));
        ModelProfile dense = new ModelProfile(null, layerForward, otherForward, null, sequenceParallel ? "_sp" : "",
                denseParameters * 4 / MB, activation, checkpointMb, other.noPipeline(), other.firstStage(), other.lastStage());

        double imbalance;
        String source;
        if (loadImbalance != null) {
            imbalance = loadImbalance;
            source = "set by search_engine.model_info.moe_load_imbalance";
        } else if (capacityFactor != null && capacityFactor >= 1) {
            imbalance = capacityFactor;
            source = "the model's moe_expert_capacity_factor (tokens above it are dropped)";
        } else {
            imbalance = DEFAULT_IMBALANCE;
            source = "no capacity factor set: Switch Transformer's training capacity factor";
        }
        double expertMs = 2.0 * count.expert() / peakFlops * 1e3;
        ExpertLayer.Shape experts = new ExpertLayer.Shape(a.moe().experts(), a.moe().topK(), a.moe().expertFfn(), a.gatedMlp(), count.expert(),
                imbalance, expertMs, activationScale(), plainDpType, gpusPerNode);
        String what = "ESTIMATED: " + a.name() + "'s layers (attention, router and " + a.moe().experts() + " experts, top-" + a.moe().topK()
                + ") and vocabulary from its shape and the " + gpu.id() + " datasheet, calibrated on Galvatron's measured A100 layers; "
                + "load imbalance " + imbalance + " (" + source + ")";
        return new Estimate(dense, experts, what);
    }
}
