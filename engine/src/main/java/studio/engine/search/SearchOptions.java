package studio.engine.search;

import studio.engine.plan.LayerStrategy;

import java.util.Map;
import java.util.TreeMap;

/**
 * Galvatron's search arguments (search-engine spec §2.7) that are not cost-model options.
 *
 * @param pinnedLayers layer index → strategy the user fixed; the search fills in the rest
 */
public record SearchOptions(SearchSpace searchSpace, boolean disableDp, boolean disableTp, boolean disablePp,
                            boolean disableSdp, boolean disableCkpt, boolean disableTpConsec, int maxTpDeg, int maxPpDeg,
                            int minBsz, int maxBsz, int bszScale, int settleBsz, int settleChunk, boolean recommendMinBsz,
                            boolean fineGrained, int workers, SearchMode mode, Map<Integer, LayerStrategy> pinnedLayers) {
    public SearchOptions {
        pinnedLayers = pinnedLayers == null ? Map.of() : Map.copyOf(new TreeMap<>(pinnedLayers));
        if (maxTpDeg < 1 || maxPpDeg < 1) throw new IllegalArgumentException("--max_tp_deg and --max_pp_deg must be >= 1");
        if (settleBsz <= 0 && bszScale <= 0) throw new IllegalArgumentException("--bsz_scale must be positive");
    }

    /** Galvatron's defaults. */
    public static SearchOptions defaults() {
        return new SearchOptions(SearchSpace.FULL, false, false, false, false, false, false, 8, 8, 8, 10240, 8, -1, -1, false,
                true, 1, SearchMode.GALVATRON_V2, Map.of());
    }

    public SearchOptions withSettle(int bsz, int chunk) {
        return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, bsz, chunk, recommendMinBsz, fineGrained, workers, mode, pinnedLayers);
    }

    public SearchOptions withMode(SearchMode m) {
        return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, fineGrained, workers, m, pinnedLayers);
    }

    public SearchOptions withFineGrained(boolean f) {
        return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, f, workers, mode, pinnedLayers);
    }

    public SearchOptions withWorkers(int w) {
        return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, fineGrained, w, mode, pinnedLayers);
    }

    public SearchOptions withDisableTpConsec(boolean d) {
        return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, d, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, fineGrained, workers, mode, pinnedLayers);
    }

    public SearchOptions withPinnedLayers(Map<Integer, LayerStrategy> pinned) {
        return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, fineGrained, workers, mode, pinned);
    }

    public SearchOptions withSearchSpace(SearchSpace s) {
        return new SearchOptions(s, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, fineGrained, workers, mode, pinnedLayers);
    }
}
