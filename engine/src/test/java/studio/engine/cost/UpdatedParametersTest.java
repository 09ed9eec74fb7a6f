package studio.engine.cost;

import org.junit.jupiter.api.Test;
import studio.engine.conformance.S1Inputs;
import studio.engine.plan.DpType;
import studio.engine.plan.LayerStrategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a GPU's optimizer step updates: its ZeRO shard of the layer's (TP-split) parameters, all of them under DDP. */
class UpdatedParametersTest {
    @Test
    void zeroShardsTheStepAndDataParallelismStepsEveryParameter() {
        CostModel zero2 = S1Inputs.costModel();
        CostModel ddp = new CostModel(zero2.profiles(), zero2.options().withDefaultDpType(DpType.DDP));
        LayerStrategy tp2dp4 = LayerStrategy.of(1, 2, 4, true, false, false, false);
        LayerStrategy tp2dp4zero3 = LayerStrategy.of(1, 2, 4, true, true, false, false);
        LayerMemory sharded = zero2.layerMemory(tp2dp4, 0, 64, 16, 1, 0);
        LayerMemory full = ddp.layerMemory(tp2dp4, 0, 64, 16, 1, 0);
        LayerMemory zero3 = ddp.layerMemory(tp2dp4zero3, 0, 64, 16, 1, 0);
        // llama-7b's layer: 773.0166 fp32 MB (spec §7), split two ways by TP
        assertEquals(773.0166015625 / 2, full.parameterMb(), 1e-9);
        assertEquals(full.parameterMb(), full.updatedParameterMb(), 1e-12, "DDP: every rank steps all it holds");
        assertEquals(sharded.parameterMb() / 4, sharded.updatedParameterMb(), 1e-12, "ZeRO-2 over dp 4");
        assertEquals(zero3.parameterMb() / 4, zero3.updatedParameterMb(), 1e-12, "ZeRO-3 over dp 4, whatever the default");
    }
}
