package studio.app.project;

import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.ParallelPlan;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;

import java.nio.file.Path;

/** Loads models and profiles from the shipped sample-configs layout (Galvatron's), off the FX thread. */
public final class ContextLoader {
    private final Path sampleRoot;

    public ContextLoader(Path sampleRoot) {
        this.sampleRoot = sampleRoot;
    }

    public Path sampleRoot() { return sampleRoot; }

    public PlanningContext load(ClusterSettings s) {
        ModelDescription model = new ModelCatalog(sampleRoot).resolve(s.model());
        InputLocator locator = new InputLocator(sampleRoot);
        ProfileArgs args = new ProfileArgs(s.nodes(), s.gpusPerNode(), s.mixedPrecision(), s.sequenceParallel(),
                s.spSpace() == studio.engine.cost.SpSpace.TP_SP, studio.engine.profile.TimeProfileMode.STATIC,
                studio.engine.profile.MemoryProfileMode.STATIC, null, null, null, null, null, null);
        return new PlanningContext(s, model, locator.load(model, args));
    }

    /** The fastest runnable plan at the given batch size (the studio's search mode). */
    public ParallelPlan searchedPlan(PlanningContext ctx, int globalBatch) {
        SearchResult r = new SearchEngine(ctx.costModel(), SearchOptions.defaults().withSettle(globalBatch, -1)
                .withMode(SearchMode.STUDIO)).search();
        if (!r.found()) {
            throw new IllegalStateException("no plan of " + ctx.model().name() + " fits " + ctx.settings().memoryGb() + " GB per GPU");
        }
        return r.plan();
    }

    /** A Galvatron config, checked against the context's model. */
    public ParallelPlan importConfig(PlanningContext ctx, Path file) {
        ParallelPlan p = GalvatronConfig.read(file, ctx.settings().worldSize(), ctx.settings().pipelineType(),
                ctx.settings().defaultDpType()).plan();
        if (p.layerCount() != ctx.model().totalLayers()) {
            throw new IllegalArgumentException(file + ": the plan has " + p.layerCount() + " layers but " + ctx.model().name()
                    + " has " + ctx.model().totalLayers());
        }
        return p;
    }
}
