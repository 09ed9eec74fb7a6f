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

    public Builder toBuilder() {
        return new Builder(this);
    }

    public SearchOptions withSettle(int bsz, int chunk) { return toBuilder().settleBsz(bsz).settleChunk(chunk).build(); }

    public SearchOptions withMode(SearchMode m) { return toBuilder().mode(m).build(); }

    public SearchOptions withFineGrained(boolean f) { return toBuilder().fineGrained(f).build(); }

    public SearchOptions withWorkers(int w) { return toBuilder().workers(w).build(); }

    public SearchOptions withDisableTpConsec(boolean d) { return toBuilder().disableTpConsec(d).build(); }

    public SearchOptions withPinnedLayers(Map<Integer, LayerStrategy> pinned) { return toBuilder().pinnedLayers(pinned).build(); }

    public SearchOptions withSearchSpace(SearchSpace s) { return toBuilder().searchSpace(s).build(); }

    /** Changes some options of a copy. */
    public static final class Builder {
        private SearchSpace searchSpace;
        private boolean disableDp;
        private boolean disableTp;
        private boolean disablePp;
        private boolean disableSdp;
        private boolean disableCkpt;
        private boolean disableTpConsec;
        private int maxTpDeg;
        private int maxPpDeg;
        private int minBsz;
        private int maxBsz;
        private int bszScale;
        private int settleBsz;
        private int settleChunk;
        private boolean recommendMinBsz;
        private boolean fineGrained;
        private int workers;
        private SearchMode mode;
        private Map<Integer, LayerStrategy> pinnedLayers;

        Builder(SearchOptions o) {
            searchSpace = o.searchSpace;
            disableDp = o.disableDp;
            disableTp = o.disableTp;
            disablePp = o.disablePp;
            disableSdp = o.disableSdp;
            disableCkpt = o.disableCkpt;
            disableTpConsec = o.disableTpConsec;
            maxTpDeg = o.maxTpDeg;
            maxPpDeg = o.maxPpDeg;
            minBsz = o.minBsz;
            maxBsz = o.maxBsz;
            bszScale = o.bszScale;
            settleBsz = o.settleBsz;
            settleChunk = o.settleChunk;
            recommendMinBsz = o.recommendMinBsz;
            fineGrained = o.fineGrained;
            workers = o.workers;
            mode = o.mode;
            pinnedLayers = o.pinnedLayers;
        }

        public Builder searchSpace(SearchSpace v) { searchSpace = v; return this; }
        public Builder disableDp(boolean v) { disableDp = v; return this; }
        public Builder disableTp(boolean v) { disableTp = v; return this; }
        public Builder disablePp(boolean v) { disablePp = v; return this; }
        public Builder disableSdp(boolean v) { disableSdp = v; return this; }
        public Builder disableCkpt(boolean v) { disableCkpt = v; return this; }
        public Builder disableTpConsec(boolean v) { disableTpConsec = v; return this; }
        public Builder maxTpDeg(int v) { maxTpDeg = v; return this; }
        public Builder maxPpDeg(int v) { maxPpDeg = v; return this; }
        public Builder batchSweep(int min, int max, int scale) { minBsz = min; maxBsz = max; bszScale = scale; return this; }
        public Builder settleBsz(int v) { settleBsz = v; return this; }
        public Builder settleChunk(int v) { settleChunk = v; return this; }
        public Builder recommendMinBsz(boolean v) { recommendMinBsz = v; return this; }
        public Builder fineGrained(boolean v) { fineGrained = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder mode(SearchMode v) { mode = v; return this; }
        public Builder pinnedLayers(Map<Integer, LayerStrategy> v) { pinnedLayers = v; return this; }

        public SearchOptions build() {
            return new SearchOptions(searchSpace, disableDp, disableTp, disablePp, disableSdp, disableCkpt, disableTpConsec, maxTpDeg,
                    maxPpDeg, minBsz, maxBsz, bszScale, settleBsz, settleChunk, recommendMinBsz, fineGrained, workers, mode, pinnedLayers);
        }
    }
}
