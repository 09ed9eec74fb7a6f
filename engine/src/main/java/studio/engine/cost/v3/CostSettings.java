package studio.engine.cost.v3;

import studio.engine.model.Precision;
import studio.engine.plan.PipelineType;

/**
 * Galvatron 3.0's ModelArgs, TrainArgs and ParallelArgs (v3 spec §2.6) as one value: what the cost components read
 * besides the profiles.
 *
 * @param worldSize          N, GPUs in all
 * @param layerCount         n, transformer layers (one layer type)
 * @param debugCostmodelCoe  multiplies every layer time (not the vocabulary's)
 * @param ring               null: context parallelism as Galvatron 3.0 costs it (not at all, quirk Q-v3-4); else the
 *                           studio's ring-attention model with this attention shape ({@link RingAttention})
 * @param experts            null: a dense model (or experts costed as Galvatron 3.0 does: not at all); else the
 *                           studio's model of every layer's routed experts ({@link ExpertLayer})
 */
public record CostSettings(int worldSize, int layerCount, int hiddenSize, int seqLength, Precision precision,
                           boolean asyncGradReduce, boolean sequenceParallel, boolean globalMemoryBuffer,
                           PipelineType pipelineType, double debugCostmodelCoe, RingAttention.Shape ring, ExpertLayer.Shape experts) {
    /** Galvatron 3.0's own settings: context parallelism costed as 3.0 does. */
    public CostSettings(int worldSize, int layerCount, int hiddenSize, int seqLength, Precision precision, boolean asyncGradReduce,
                        boolean sequenceParallel, boolean globalMemoryBuffer, PipelineType pipelineType, double debugCostmodelCoe) {
        this(worldSize, layerCount, hiddenSize, seqLength, precision, asyncGradReduce, sequenceParallel, globalMemoryBuffer, pipelineType,
                debugCostmodelCoe, null, null);
    }

    /** The same with context parallelism costed as ring attention of {@code shape}. */
    public CostSettings withRing(RingAttention.Shape shape) {
        return new CostSettings(worldSize, layerCount, hiddenSize, seqLength, precision, asyncGradReduce, sequenceParallel, globalMemoryBuffer,
                pipelineType, debugCostmodelCoe, shape, experts);
    }

    /** The same with every layer's routed experts costed by {@link ExpertLayer}. */
    public CostSettings withExperts(ExpertLayer.Shape shape) {
        return new CostSettings(worldSize, layerCount, hiddenSize, seqLength, precision, asyncGradReduce, sequenceParallel, globalMemoryBuffer,
                pipelineType, debugCostmodelCoe, ring, shape);
    }

    public boolean mixed() { return precision.mixed(); }

    /** Bytes of one element of an activation message: 2 in mixed precision, 4 in fp32. */
    public int activationBytes() { return mixed() ? 2 : 4; }
}
