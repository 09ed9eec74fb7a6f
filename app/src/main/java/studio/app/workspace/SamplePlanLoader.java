package studio.app.workspace;

import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.PlanEvaluator;
import studio.engine.cost.ProfileBundle;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;

import java.nio.file.Path;

/** Opens the shipped sample plan (llama-7b on 1 node x 8 A100, 36 GB) with the shipped profiles. */
public final class SamplePlanLoader {
    public static final String SAMPLE_CONFIG = "llama_hf/configs/galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json";

    private final Path sampleRoot;

    public SamplePlanLoader(Path sampleRoot) {
        this.sampleRoot = sampleRoot;
    }

    public PlanDocument load() {
        ModelDescription model = new ModelCatalog(sampleRoot).resolve("llama-7b");
        InputLocator locator = new InputLocator(sampleRoot);
        ProfileArgs args = ProfileArgs.defaults(1, 8, true);
        ProfileBundle bundle = locator.load(model, args);
        CostModelOptions options = new CostModelOptions(8, 36, "bf16", true, true, SpSpace.TP, PipelineType.PIPEDREAM_FLUSH,
                DpType.ZERO2, false, true, 1.0);
        PlanEvaluator evaluator = new PlanEvaluator(new CostModel(bundle, options));
        Path file = sampleRoot.resolve(SAMPLE_CONFIG);
        GalvatronConfig.Loaded loaded = GalvatronConfig.read(file, 8, PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2);
        var estimate = evaluator.evaluate(loaded.plan(), 0, 0, loaded.fileViolations());
        return new PlanDocument(file, model, loaded.plan(), evaluator, estimate, 8, 36);
    }
}
