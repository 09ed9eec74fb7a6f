package studio.engine.search;

import studio.engine.cost.CostModelOptions;
import studio.engine.model.ModelDescription;

import java.util.List;
import java.util.Map;

/** Tracks the least memory any candidate needs, to tell the user what budget would fit when nothing does. */
final class MemoryShortfall {
    private final ModelDescription model;
    /** Written under the lock, read without it too: it only falls, so a stale value only lets a candidate through. */
    private volatile int mb = Integer.MAX_VALUE;
    private long order = Long.MAX_VALUE;
    private String what;

    MemoryShortfall(ModelDescription model) {
        this.model = model;
    }

    /**
     * A pipeline degree's least need: per stage the lightest strategy of every layer plus the lightest vocabulary.
     * Every sub-search of a sweep offers one, from every worker: the need is computed outside the lock, which is taken
     * only when it may be the new least.
     */
    void offer(LayerTables tables, Map<Integer, double[]> vocabularyMb, int bufferMb, List<Integer> division, TaskGroup group) {
        if (vocabularyMb.isEmpty()) return;
        for (int layers : division) if (layers < 1) return;
        int pp = tables.pp;
        int worst = 0;
        int start = 0;
        for (int i = 0; i < pp; i++) {
            int[] lightest = tables.lightestMb[tables.memoryTable(i)];
            int sum = 0;
            for (int l = start; l < start + division.get(i); l++) sum += lightest[model.typeOfLayer(l)];
            start += division.get(i);
            int vocabulary = Integer.MAX_VALUE;
            for (double[] o : vocabularyMb.values()) vocabulary = Math.min(vocabulary, (int) Math.ceil(o[i]) + bufferMb);
            worst = Math.max(worst, sum + vocabulary);
        }
        if (worst > mb) return;
        long o = (long) group.index() * 64 + pp;
        synchronized (this) {
            if (worst < mb || (worst == mb && o < order)) {
                mb = worst;
                order = o;
                what = "pp " + pp + ", batch " + group.globalBatch() + ", chunks " + group.chunks();
            }
        }
    }

    synchronized int mb() { return mb == Integer.MAX_VALUE ? 0 : mb; }

    synchronized String describe() { return what; }

    /** The smallest whole-GB GPU whose usable memory (after the cache reserve) holds the need. */
    synchronized int minimumGb() {
        if (mb == Integer.MAX_VALUE) return 0;
        for (int gb = 1; gb <= 1 << 20; gb++) {
            int total = gb * 1024;
            int usable = total - CostModelOptions.cacheReserveMb(total);
            if (usable >= mb) return gb;
        }
        return 0;
    }
}
