package studio.engine.cost.v3;

/** Embedding and LM-head time per stage, seconds, with and without the gradient sync (v3 spec §5.2). */
public record VocabularyTime(double[] withSyncS, double[] withoutSyncS) {
}
