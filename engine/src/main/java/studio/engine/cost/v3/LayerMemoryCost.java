package studio.engine.cost.v3;

import studio.engine.cost.LayerMemory;
import studio.engine.cost.ZeroRedundancy;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.plan.v3.HybridStrategy;

/** One transformer layer's memory on one GPU, MB (v3 spec §4.1 - §4.2: {@code MemoryCostModelBase}). */
public final class LayerMemoryCost {
    private final CostInputs in;
    private final RingAttention ring;
    private final ExpertLayer experts;

    /** @param ring the context-parallel model and {@code experts} the MoE one, shared with the other components */
    public LayerMemoryCost(CostInputs in, RingAttention ring, ExpertLayer experts) {
        this.in = in;
        this.ring = ring;
        this.experts = experts;
    }

    /** {@code enc_total} of {@code s} on stage {@code stage} for a task of batch {@code batch} in {@code chunks} micro-batches. */
    public LayerMemory of(HybridStrategy s, int batch, int chunks, int stage) {
        CostSettings cs = in.settings();
        int localBatch = batch / chunks / s.dp();
        int inFlight;
        if (s.pp() == 1) inFlight = 1;
        else if (cs.pipelineType() == PipelineType.PIPEDREAM_FLUSH) inFlight = s.pp() - stage;
        else inFlight = chunks;
        int microBatches = inFlight * localBatch;
        double parameters = in.profile().parameterMb() / s.tp();
        double modelStates = 4 * parameters;
        if (s.dpType() == DpType.ZERO3) modelStates = modelStates * ZeroRedundancy.zero3Ratio(s.shardGroup(), chunks, cs.mixed(), cs.asyncGradReduce());
        else if (s.dpType() == DpType.ZERO2) modelStates = modelStates * ZeroRedundancy.zero2Ratio(s.shardGroup(), chunks, cs.mixed(), cs.asyncGradReduce());
        double activation;
        if (s.checkpoint()) {
            activation = in.profile().checkpointActivationMb() * microBatches;
            if (s.sp() > 1 || (s.tp() > 1 && cs.sequenceParallel())) activation = activation / s.tensorOrSequenceDegree();
        } else {
            activation = in.layerActivation(s.tensorOrSequenceDegree()) * microBatches;
        }
        int split = ring.split(s); // under the ring model a GPU keeps the activations of S / cp tokens
        if (split > 1) activation = activation / split;
        double expertStates = 0;
        double updated = ZeroRedundancy.updatedParameterMb(parameters, s.dpType() != DpType.DDP, s.shardGroup());
        if (experts.active()) {
            // the routed experts beside the profiled dense part (attention, norms, router)
            ExpertLayer.Memory e = experts.memory(s, chunks);
            parameters += e.parameterMb();
            modelStates += e.modelStatesMb();
            expertStates = e.modelStatesMb();
            updated += e.updatedParameterMb();
            activation += e.activationPerSampleMb() * microBatches;
        }
        return new LayerMemory(inFlight, microBatches, parameters, modelStates, activation, expertStates, updated);
    }

    /** What the knapsack weighs: {@code ceil(enc_total)}, with {@code enc_total = MS + ACT}. */
    public int weightMb(HybridStrategy s, int batch, int chunks, int stage) {
        return of(s, batch, chunks, stage).weightMb();
    }
}
