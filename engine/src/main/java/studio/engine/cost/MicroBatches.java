package studio.engine.cost;

/** How Galvatron cuts a batch into micro-batches (search-engine spec §4.1). */
public final class MicroBatches {
    private MicroBatches() {
    }

    /** Galvatron's {@code optimal_chunk_func}. */
    public static int optimalChunks(int localBatch, int tp, int microBatchSize, int minTp) {
        int perShard = localBatch / (tp / minTp);
        int chunks = (int) Math.ceil((double) perShard / microBatchSize);
        return chunks == 0 ? 1 : chunks;
    }

    /** Sizes of {@code torch.arange(n).chunk(c)}; may be fewer than c pieces. */
    public static int[] chunkSizes(int n, int c) {
        if (n <= 0) return new int[0];
        int size = (int) Math.ceil((double) n / c);
        int pieces = (n + size - 1) / size;
        int[] out = new int[pieces];
        for (int i = 0; i < pieces; i++) out[i] = Math.min(size, n - i * size);
        return out;
    }
}
