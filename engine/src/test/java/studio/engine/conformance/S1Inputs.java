package studio.engine.conformance;

import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;

/** S1's inputs: the shipped llama-7b profiles and A100 hardware files, with S1's arguments (args.json). */
public final class S1Inputs {
    private S1Inputs() {
    }

    public static CostModelOptions options() {
        return new CostModelOptions(8, 36, "bf16", true, true, SpSpace.TP, PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2, false, true, 1.0);
    }

    public static CostModel costModel() {
        var root = SampleConfigs.root();
        var model = new ModelCatalog(root).resolve("llama-7b");
        return new CostModel(new InputLocator(root).load(model, ProfileArgs.defaults(1, 8, true)), options());
    }
}
