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

    /**
     * How many pieces {@code torch.arange(n).chunk(c)} cuts: each of {@code ceil(n / c)} samples but the last, so
     * possibly fewer than {@code c}. Counted, not built: a sweep asks for thousands of chunks thousands of times.
     */
    public static int pieces(int n, int c) {
        if (n <= 0) return 0;
        int size = pieceSize(n, c);
        return (n + size - 1) / size;
    }

    /** The first piece's size (every piece but the last has it); 0 for nothing to cut. */
    public static int firstPiece(int n, int c) {
        return n <= 0 ? 0 : pieceSize(n, c);
    }

    /** The samples in the first {@code k} of those pieces. */
    public static long leadingSamples(int n, int c, int k) {
        int pieces = pieces(n, c);
        if (k <= 0 || pieces == 0) return 0;
        if (k >= pieces) return n;
        return (long) k * pieceSize(n, c);
    }

    private static int pieceSize(int n, int c) {
        return (int) Math.ceil((double) n / c);
    }
}
