package studio.engine.search.v3;

import studio.engine.cost.v3.TensorParallelMode;
import studio.engine.plan.v3.HybridStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Galvatron 3.0's task list (v3 spec §6.2), in its loop order, which is also the tie-break order. */
public final class TaskGrid {
    private TaskGrid() {
    }

    public static List<SearchTask> of(SearchSettings settings, StrategyEnumeration strategies) {
        int n = settings.worldSize();
        int layers = settings.cost().layerCount();
        TreeSet<Integer> ppRange = new TreeSet<>();
        for (HybridStrategy e : strategies.vocabulary()) ppRange.add(e.pp());
        List<SearchTask> tasks = new ArrayList<>();
        BatchRange batch = settings.batch();
        for (int b : batch.batchSizes()) {
            List<Integer> chunkList = new ArrayList<>();
            if (batch.settleChunk() != -1) chunkList.add(batch.settleChunk());
            else for (int c = 1; c <= b; c++) chunkList.add(c);
            for (int c : chunkList) {
                if (b % c != 0) continue;
                for (int pp : ppRange) {
                    if (pp > c || pp > layers) continue;
                    int maxTp = Math.min(Math.max(n / pp, 1), settings.space().maxTp());
                    int maxDp = Math.max(Math.min(b / c, n / pp), 1);
                    int minTp = Math.max(n / pp / maxDp, 1);
                    for (TensorParallelMode mode : TensorParallelMode.values()) {
                        if (mode == TensorParallelMode.SP_ONLY) {
                            tasks.add(new SearchTask(b, c, pp, mode, maxTp));
                            continue;
                        }
                        for (int g = minTp; g <= maxTp; g++) {
                            if (Integer.bitCount(g) == 1 && g * pp <= n) tasks.add(new SearchTask(b, c, pp, mode, g));
                        }
                    }
                }
            }
        }
        return tasks;
    }
}
