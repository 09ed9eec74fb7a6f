package studio.app.grid;

import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.plan.LayerStrategy;

import java.util.List;

/** One row of the per-layer grid: the layer's strategy, its costs and what it breaks. */
public record LayerRow(int layer, int stage, LayerStrategy strategy, LayerMemory memory, LayerTime time, List<String> problems) {
    public String dataParallel() {
        return strategy.dp() == 1 ? "-" : strategy.isZero3() ? "ZeRO-3" : "default";
    }
}
