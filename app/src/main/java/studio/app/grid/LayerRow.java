package studio.app.grid;

import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.plan.LayerStrategy;

/** One row of the per-layer grid. */
public record LayerRow(int layer, int stage, LayerStrategy strategy, LayerMemory memory, LayerTime time) {
    public String dataParallel() {
        return strategy.dp() == 1 ? "-" : strategy.isZero3() ? "ZeRO-3" : "default";
    }
}
