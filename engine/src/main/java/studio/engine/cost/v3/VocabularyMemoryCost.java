package studio.engine.cost.v3;

import studio.engine.cost.ZeroRedundancy;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.profile.v3.ModelProfile;
import studio.engine.profile.OtherMemoryProfile;

/**
 * Embedding and LM-head memory per stage, MB, with the 1024 MB PyTorch context on every stage (v3 spec §4.3:
 * {@code EmbeddingLMHeadMemoryCostModel}). Model states are keyed by the vocabulary's Megatron-TP degree, activations
 * by its TP-or-Ulysses degree (quirk Q-v3-10).
 */
public final class VocabularyMemoryCost {
    private static final int CONTEXT_MB = 1024;
    private final CostInputs in;

    public VocabularyMemoryCost(CostInputs in) { this.in = in; }

    public double[] perStageMb(HybridStrategy e, int batch, int chunks) {
        CostSettings cs = in.settings();
        ModelProfile p = in.profile();
        int pp = e.pp();
        int localBatch = batch / chunks / e.dp();
        double ratio = e.dpType() == DpType.ZERO3 ? ZeroRedundancy.zero3Ratio(e.shardGroup(), chunks, cs.mixed(), cs.asyncGradReduce())
                : e.dpType() == DpType.ZERO2 ? ZeroRedundancy.zero2Ratio(e.shardGroup(), chunks, cs.mixed(), cs.asyncGradReduce()) : 1.0;
        double[] states = new double[pp];
        double[] activation = new double[pp];
        int tps = e.tensorOrSequenceDegree();
        if (pp == 1) {
            OtherMemoryProfile off = p.noPipeline();
            states[0] = CostInputs.entry(p, off, off.modelStatesMb(), "model_states", e.tp()) * ratio;
            activation[0] = CostInputs.entry(p, off, off.activationMb(), "activation", tps) * (1 * localBatch);
        } else {
            OtherMemoryProfile first = p.firstStage();
            OtherMemoryProfile last = p.lastStage();
            states[0] = CostInputs.entry(p, first, first.modelStatesMb(), "model_states", e.tp()) * ratio;
            states[pp - 1] = CostInputs.entry(p, last, last.modelStatesMb(), "model_states", e.tp()) * ratio;
            boolean flush = cs.pipelineType() == PipelineType.PIPEDREAM_FLUSH;
            int firstInFlight = flush ? pp : chunks;
            int lastInFlight = flush ? 1 : chunks;
            activation[0] = CostInputs.entry(p, first, first.activationMb(), "activation", tps) * (firstInFlight * localBatch);
            activation[pp - 1] = CostInputs.entry(p, last, last.activationMb(), "activation", tps) * (lastInFlight * localBatch);
        }
        double[] total = new double[pp];
        for (int i = 0; i < pp; i++) total[i] = (states[i] + activation[i]) + CONTEXT_MB;
        return total;
    }
}
