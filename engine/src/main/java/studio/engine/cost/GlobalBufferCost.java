package studio.engine.cost;

import studio.engine.profile.ProfileBundle;

/** Megatron-SP's global all-gather buffer (search-engine spec §4.7). Galvatron 3.0's is {@code cost.v3.GlobalBuffer}. */
final class GlobalBufferCost {
    private static final double MB = 1048576.0;

    private final ProfileBundle profiles;
    private final CostModelOptions options;

    GlobalBufferCost(ProfileBundle profiles, CostModelOptions options) {
        this.profiles = profiles;
        this.options = options;
    }

    /** Fine-grained mode: none when the layers use Ulysses only. */
    double fineGrainedMb(int microBatchSize, int minTp, int maxTp, SpSearch spSearch) {
        if (options.sequenceParallel() && options.globalMemoryBuffer() && spSearch != SpSearch.ULYSSES_ONLY) {
            return formulaMb(microBatchSize, minTp, maxTp);
        }
        return 0;
    }

    /** Coarse mode checks only {@code sequence_parallel}. */
    double coarseMb(int microBatchSize, int minTp, int maxTp) {
        return options.sequenceParallel() ? formulaMb(microBatchSize, minTp, maxTp) : 0;
    }

    private double formulaMb(int microBatchSize, int minTp, int maxTp) {
        double buffer = (double) microBatchSize / minTp * maxTp * profiles.model().hiddenSize() * profiles.model().maxSeqLength() * 4 / MB;
        return buffer / 2; // Galvatron tests the precision string, always true (quirk Q5)
    }
}
