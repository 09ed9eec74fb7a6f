package studio.engine.cost;

import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;
import studio.engine.profile.LayerMemoryProfile;

/**
 * One layer's memory on one rank (search-engine spec §4.1 chunks, §4.2 {@code b_act}, §4.3 ZeRO ratios, §4.4 model
 * states, §4.5 activations). Galvatron 3.0's counterpart is {@code cost.v3.LayerMemoryCost}.
 */
final class LayerMemoryCost {
    private final CostModelOptions options;

    LayerMemoryCost(CostModelOptions options) {
        this.options = options;
    }

    /** Memory chunk count {@code C} of a strategy (§4.1). */
    int memoryChunks(LayerStrategy s, int globalBatch, int microBatchSize, int minTp) {
        int tp = s.tp();
        int dp = s.dp();
        int chunks = MicroBatches.optimalChunks(globalBatch / dp, tp, microBatchSize, minTp);
        int most = globalBatch / (tp * dp / minTp);
        if (most == 0) most = 1;
        return Math.min(chunks, most);
    }

    double zero2Ratio(int group, int chunks) {
        return ZeroRedundancy.zero2Ratio(group, chunks, options.mixed(), options.asyncGradReduce());
    }

    double zero3Ratio(int group, int chunks) {
        return ZeroRedundancy.zero3Ratio(group, chunks, options.mixed(), options.asyncGradReduce());
    }

    LayerMemory of(LayerStrategy s, LayerMemoryProfile profile, int globalBatch, int microBatchSize, int minTp, int stage,
                   PipelineType pipelineType) {
        int pp = s.pp();
        int tp = s.tp();
        int dp = s.dp();
        boolean ulysses = s.isUlysses();
        int shardGroup = ulysses ? tp * dp : dp;
        int chunks = memoryChunks(s, globalBatch, microBatchSize, minTp);
        double localBatch = (double) globalBatch / dp;
        int shard = (int) ((double) globalBatch / dp / (tp / minTp));
        int pieces = MicroBatches.pieces(shard, chunks);
        // §4.2: the samples whose activations are alive at the peak
        double activeSamples;
        if ((pipelineType == PipelineType.PIPEDREAM_FLUSH && pp > 1) || pp == 1) {
            int inFlight = (pp - stage) <= chunks ? (pp - stage) : chunks;
            // whole sample counts, as Galvatron's sums of the piece sizes give them
            // (all the pieces together are the shard itself)
            activeSamples = localBatch * (double) MicroBatches.leadingSamples(shard, chunks, Math.min(inFlight, pieces))
                    / (double) Math.max(0, shard);
        } else {
            activeSamples = MicroBatches.firstPiece(shard, chunks); // GPipe keeps one micro-batch of the min-tp shard (quirk Q1)
        }
        // §4.4
        double parameterMb = ulysses ? profile.parameterSizeMb() : profile.parameterSizeMb() / tp;
        double modelStatesMb = 4 * parameterMb;
        boolean zero = s.isZero3() || (s.isDefaultDp() && options.useZero2());
        if (s.isZero3()) {
            modelStatesMb *= zero3Ratio(shardGroup, chunks);
        } else if (s.isDefaultDp() && options.useZero2()) {
            modelStatesMb *= zero2Ratio(shardGroup, chunks);
        }
        // §4.5
        double activationMb;
        if (s.checkpoint()) {
            activationMb = profile.checkpointActivationMb() * activeSamples;
            if (options.sequenceParallel()) activationMb /= tp;
        } else {
            Double perSample = profile.activationPerSampleMb().get(tp);
            if (perSample == null) {
                throw new IllegalArgumentException("the memory profile has no activation for TP degree " + tp
                        + " (tp_activation_per_bsz_dict has " + profile.activationPerSampleMb().keySet() + ")");
            }
            activationMb = perSample * activeSamples;
        }
        return new LayerMemory(chunks, activeSamples, parameterMb, modelStatesMb, activationMb, 0,
                ZeroRedundancy.updatedParameterMb(parameterMb, zero, shardGroup));
    }

}
