package studio.engine.cost;

/**
 * The named terms of a layer type's time for one micro-batch (search-engine spec §5.1), for all its layers (ms, MB),
 * and how Galvatron combines them (§5.1's case table: which communication overlaps which compute).
 *
 * @param tp                tensor-parallel degree
 * @param dp                data-parallel degree
 * @param forwardMs         forward compute
 * @param backwardMs        backward compute, recompute included
 * @param tensorParallelMs  Megatron-TP or Ulysses collectives
 * @param gradientMb        gradient volume to reduce over dp
 * @param reduceMsPerMb     all-reduce coefficient of the dp group
 * @param overlap           slowdown of compute and communication sharing the GPU
 * @param zero3             whether ZeRO-3 gathers the parameters (half the gradient volume, not overlapped)
 * @param p2pMs             the layers' share of the pipeline's send / receive (0 without a pipeline)
 */
record LayerTimeTerms(int tp, int dp, double forwardMs, double backwardMs, double tensorParallelMs, double gradientMb,
                      double reduceMsPerMb, double overlap, boolean zero3, double p2pMs) {

    /** With the gradient reduce (what the knapsack minimises), or without it (what the pipeline model uses); ms. */
    double totalMs(boolean gradientSync) {
        double messageMb = gradientSync ? gradientMb : 0;
        double reduceOverlappedMsPerMb = reduceMsPerMb * overlap;
        double total;
        if (tp == 1 && dp > 1) {
            GradientOverlap.Split o = GradientOverlap.of(messageMb, backwardMs, reduceMsPerMb, reduceOverlappedMsPerMb, overlap);
            total = forwardMs + o.overlappedMs() + o.restMs();
        } else if (dp == 1 && tp > 1) {
            total = forwardMs + backwardMs + tensorParallelMs;
        } else if (dp == 1) {
            total = forwardMs + backwardMs;
        } else if (tp < tp * dp / 2) {
            GradientOverlap.Split o = GradientOverlap.of(messageMb, backwardMs, reduceMsPerMb, reduceOverlappedMsPerMb, overlap);
            total = forwardMs + o.overlappedMs() + o.restMs() + tensorParallelMs;
        } else {
            // a wide TP group: half the backward overlaps the reduce
            GradientOverlap.Split o = GradientOverlap.of(messageMb, backwardMs / 2, reduceMsPerMb, reduceOverlappedMsPerMb, overlap);
            total = forwardMs + backwardMs / 2 + o.overlappedMs() + o.restMs() + tensorParallelMs;
        }
        if (zero3) total += 0.5 * gradientMb * reduceMsPerMb * 1; // the parameter all-gather, with or without the sync
        total += p2pMs;
        return total;
    }
}
