package studio.engine.search;

import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSearch;
import studio.engine.cost.SpSpace;

import java.util.ArrayList;
import java.util.List;

/** Galvatron's task order (search-engine spec §6.1 batch sizes, §6.2 tasks): groups, then per group vsp, embed_sdp, sp_search. */
final class TaskEnumeration {
    private final CostModelOptions costOptions;
    private final SearchOptions options;
    private final StrategySpace.Generated space;
    private final boolean studio;

    TaskEnumeration(CostModelOptions costOptions, SearchOptions options, StrategySpace.Generated space, boolean studio) {
        this.costOptions = costOptions;
        this.options = options;
        this.space = space;
        this.studio = studio;
    }

    List<TaskGroup> groups() {
        int world = costOptions.worldSize();
        List<Integer> minTps = new ArrayList<>();
        if (costOptions.disableVtp()) {
            minTps.add(1);
        } else {
            for (int x = 1; x <= world && x <= options.maxTpDeg(); x *= 2) minTps.add(x);
        }
        List<Integer> maxTps;
        if (!costOptions.globalMemoryBuffer()) {
            maxTps = List.of(options.maxTpDeg());
        } else if (studio && costOptions.disableVtp()) {
            // Galvatron ties the TP range to the vocab switch (quirk Q7); the studio searches every layer TP degree.
            List<Integer> all = new ArrayList<>();
            for (int x = 1; x <= world && x <= options.maxTpDeg(); x *= 2) all.add(x);
            maxTps = all;
        } else {
            maxTps = minTps;
        }
        List<TaskGroup> out = new ArrayList<>();
        for (int batch : StrategySpace.batchSizes(options)) {
            List<Integer> chunks = new ArrayList<>();
            if (options.settleChunk() != -1) {
                chunks.add(options.settleChunk());
            } else {
                for (int c = 1; c <= batch; c++) chunks.add(c);
            }
            for (int c : chunks) {
                if (c < 1 || batch % c != 0) continue;
                for (int minTp : minTps) {
                    for (int maxTp : maxTps) {
                        if (minTp > maxTp) continue;
                        out.add(new TaskGroup(out.size(), batch, c, minTp, maxTp));
                    }
                }
            }
        }
        return out;
    }

    /** The layers' sequence-parallel choices the sub-searches cover. */
    List<SpSearch> spSearches() {
        if (costOptions.spSpace() == SpSpace.TP) return List.of(SpSearch.MEGATRON_ONLY);
        if (costOptions.spSpace() == SpSpace.SP) return List.of(SpSearch.ULYSSES_ONLY);
        return costOptions.globalMemoryBuffer() ? List.of(SpSearch.MEGATRON_ONLY, SpSearch.ULYSSES_ONLY, SpSearch.EITHER)
                : List.of(SpSearch.MEGATRON_ONLY, SpSearch.EITHER);
    }

    /** Whether the vocabulary layers use Ulysses ({@code vsp}), in Galvatron's order: off, then on. */
    List<Boolean> vocabularyUlysses() {
        return costOptions.spSpace().usesCollectiveTables() ? List.of(false, true) : List.of(false);
    }

    /** Whether the vocabulary layers are ZeRO-3 sharded ({@code embed_sdp}), off then on. */
    List<Boolean> embeddingZero3() {
        return space.disableSdp() ? List.of(false) : List.of(false, true);
    }

    /** Galvatron skips Megatron-only layers with Ulysses vocabulary layers and Ulysses-only layers without. */
    static boolean consistent(SpSearch spSearch, boolean vocabularyUlysses) {
        return !((spSearch == SpSearch.MEGATRON_ONLY && vocabularyUlysses) || (spSearch == SpSearch.ULYSSES_ONLY && !vocabularyUlysses));
    }
}
