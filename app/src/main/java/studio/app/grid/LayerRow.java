package studio.app.grid;

import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.plan.DpType;
import studio.engine.plan.ExpertPlacement;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.plan.v3.Plan3;

import java.util.List;

/** One row of the per-layer grid: the layer's strategy, its costs and what it breaks. */
public record LayerRow(int layer, int stage, LayerStrategy strategy, int cp, DpType defaultDpType, ExpertPlacement experts,
                       LayerMemory memory, LayerTime time, List<String> problems) {
    public String dataParallel() {
        return strategy.dp() == 1 ? "-" : strategy.isZero3() ? "ZeRO-3" : "default";
    }

    /** The layer as Galvatron 3.0's strategy object (the one mapping, {@link Plan3#layerOf}). */
    private HybridStrategy hybrid() {
        return Plan3.layerOf(strategy, cp, defaultDpType);
    }

    /** The data-parallel degree once TP (or Ulysses) and cp are taken: the stage's GPUs / tp / cp. */
    public int dataParallelDegree() { return hybrid().dp(); }

    /** Galvatron 3.0's dp type of the layer: DDP for a group of one, ZeRO-3, or the default type. */
    public String dataParallelType() { return hybrid().dpType().label(); }

    /** The Ulysses degree (1 when the layer uses Megatron-TP or none). */
    public int ulyssesDegree() { return hybrid().sp(); }
}
