package studio.engine.cost.v3;

/** Megatron-SP's global all-gather buffer per GPU, MB (v3 spec §4.4, quirk Q-v3-12: sized by the task's g, halved always). */
public final class GlobalBuffer {
    private final CostSettings settings;

    public GlobalBuffer(CostSettings settings) { this.settings = settings; }

    public double mb(int batch, int chunks, int pp, int bufferTp, TensorParallelMode mode) {
        if (!settings.sequenceParallel() || !settings.globalMemoryBuffer() || mode == TensorParallelMode.SP_ONLY) return 0.0;
        double g = ((double) batch / chunks) / (settings.worldSize() / pp / bufferTp) * settings.hiddenSize() * settings.seqLength() * 4 / 1024 / 1024;
        return g / 2;
    }
}
