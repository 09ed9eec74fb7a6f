package studio.engine.search.v3;

/**
 * Galvatron 3.0's {@code search_space_info} (v3 spec §2.7, §3.3): which dimensions are switched off and the largest
 * degrees enumerated. Context parallelism is off by default, as in Galvatron.
 */
public record SpaceLimits(boolean disableDp, boolean disableTp, boolean disableSp, boolean disablePp, boolean disableCheckpoint,
                          boolean disableFsdp, boolean disableCp, boolean disableVocabularyTp, boolean disableVocabularySp,
                          int maxTp, int maxPp, int maxSp, int maxCp) {
    public static SpaceLimits defaults() {
        return new SpaceLimits(false, false, false, false, false, false, true, false, false, 8, 8, 8, 8);
    }
}
