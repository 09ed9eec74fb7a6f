package studio.engine.bench;

import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.profile.ProfileBundle;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.LayerMemoryProfile;
import studio.engine.profile.OtherMemoryProfile;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchSpace;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark's large case: llama2-70b's shape (80 layers, hidden 8192) on 8 nodes x 8 GPUs, a sweep of 8 batch
 * sizes. No one has profiled that model on that cluster, so the inputs are synthetic: llama-7b's measured A100
 * profile scaled by FLOPs and sizes, and the cluster built from the measured 1- and 2-node A100 bandwidths (intra-node
 * groups at NVLink speed, groups that span nodes at the measured inter-node speed). Only the search's speed is
 * measured with it, not a plan's quality.
 */
public final class LargeCase {
    private LargeCase() {
    }

    public static CostModel costModel() {
        var root = SampleConfigs.root();
        ModelCatalog catalog = new ModelCatalog(root);
        ModelDescription small = catalog.resolve("llama-7b");
        ModelDescription big = catalog.resolve("llama2-70b");
        ProfileBundle measured = new InputLocator(root).load(small, ProfileArgs.defaults(1, 8, true));
        double flopRatio = layerFlops(big) / layerFlops(small);
        double paramRatio = layerParams(big) / layerParams(small);
        double actRatio = (double) big.maxSeqLength() * big.hiddenSize() / ((double) small.maxSeqLength() * small.hiddenSize());
        double headRatio = (double) big.maxSeqLength() * big.hiddenSize() * big.vocabSize()
                / ((double) small.maxSeqLength() * small.hiddenSize() * small.vocabSize());
        LayerMemoryProfile m = measured.layerMemory().get(0);
        Map<Integer, Double> act = new TreeMap<>();
        m.activationPerSampleMb().forEach((t, v) -> act.put(t, v * actRatio));
        LayerMemoryProfile layer = new LayerMemoryProfile(m.parameterSizeMb() * paramRatio, act, m.checkpointActivationMb() * actRatio);
        double vocabRatio = (double) big.hiddenSize() * big.vocabSize() / ((double) small.hiddenSize() * small.vocabSize());
        ProfileBundle bundle = new ProfileBundle(big, java.util.List.of(ForwardTime.perSample(measured.forwardTimes().get(0).perSampleMs() * flopRatio)),
                ForwardTime.perSample(measured.otherForwardTime().perSampleMs() * headRatio), java.util.List.of(layer),
                scale(measured.otherPpOff(), vocabRatio, headRatio / vocabRatio), scale(measured.otherFirstStage(), vocabRatio, actRatio),
                scale(measured.otherLastStage(), vocabRatio, headRatio / vocabRatio), cluster(measured.hardware(), 64));
        return new CostModel(bundle, new CostModelOptions(64, 80, "bf16", true, true, SpSpace.TP, PipelineType.PIPEDREAM_FLUSH,
                DpType.ZERO2, false, true, 1.0));
    }

    public static SearchOptions options(SearchMode mode) {
        return new SearchOptions(SearchSpace.FULL, false, false, false, false, false, false, 8, 16, 64, 512, 64, -1, -1, false, true, 1,
                mode, null);
    }

    private static OtherMemoryProfile scale(OtherMemoryProfile o, double states, double act) {
        Map<Integer, Double> s = new TreeMap<>();
        Map<Integer, Double> a = new TreeMap<>();
        o.modelStatesMb().forEach((k, v) -> s.put(k, v * states));
        o.activationMb().forEach((k, v) -> a.put(k, v * act));
        return new OtherMemoryProfile(s, a);
    }

    static double layerFlops(ModelDescription m) {
        double s = m.maxSeqLength();
        double h = m.hiddenSize();
        double kv = h * m.keyValueHeads() / m.attentionHeads();
        return 2 * s * h * (h + 2 * kv) + 4 * s * s * h + 2 * s * h * h + 6 * s * h * m.ffnHiddenSize();
    }

    static double layerParams(ModelDescription m) {
        double h = m.hiddenSize();
        double kv = h * m.keyValueHeads() / m.attentionHeads();
        return h * (h + 2 * kv) + h * h + 3 * h * m.ffnHiddenSize() + 2 * h;
    }

    /** 8 GPUs per node: NVLink bandwidth inside a node, the measured inter-node bandwidth across nodes. */
    static HardwareProfile cluster(HardwareProfile oneNode, int world) {
        double intra = 1 / oneNode.lookup(8);
        double inter = 44.682; // allreduce_size_16_consec_1 of the measured 2-node A100 file, GB/s
        Map<String, Double> coe = new LinkedHashMap<>();
        coe.put(String.valueOf(world), 1 / inter);
        for (int g = world / 2; g >= 2; g /= 2) {
            coe.put(g + "_0", 1 / (world / g >= 8 ? inter : intra));
            coe.put(g + "_1", 1 / (g > 8 ? inter : intra));
        }
        coe.put("1", 0.0);
        Map<Integer, Double> p2p = new TreeMap<>();
        for (int p = 2; p <= world; p *= 2) p2p.put(p, 1 / (world / p >= 8 ? 8.13 : 1 / oneNode.p2p(Math.min(p, 8))));
        return new HardwareProfile(world, coe, p2p, oneNode.overlapCoe(), null, null, null, null, null);
    }
}
