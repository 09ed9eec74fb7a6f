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

    /**
     * Measured profiles where the samples have them for this GPU (Galvatron's A100 files), estimates for the rest,
     * said so in {@link PlanningContext#estimated()}.
     */
    public PlanningContext load(ClusterSettings s) {
        ModelDescription model = new ModelCatalog(sampleRoot).resolve(s.model());
        InputLocator locator = new InputLocator(sampleRoot);
        boolean measuredGpu = ClusterSettings.MEASURED_GPU.equals(s.gpu());
        String name = model.profileName();
        Path modelDir = locator.modelConfigDir(model);
        boolean haveModel = measuredGpu && java.nio.file.Files.isRegularFile(modelDir.resolve(
                studio.engine.profile.ProfilePaths.computationFile(s.mixedPrecision(), name)))
                && java.nio.file.Files.isRegularFile(modelDir.resolve(studio.engine.profile.ProfilePaths.memoryFile(s.mixedPrecision(), name)));
        boolean haveHardware = measuredGpu && java.nio.file.Files.isRegularFile(locator.hardwareDir().resolve(
                studio.engine.profile.ProfilePaths.allreduceFile(s.nodes(), s.gpusPerNode())));
        String estimated = "";
        String modelPath = null;
        String hwPath = null;
        if (!haveModel || !haveHardware) {
            try {
                Path dir = studio.engine.estimate.EstimatedInputs.folder(s.gpu(), s.nodes(), s.gpusPerNode());
                estimated = studio.engine.estimate.EstimatedInputs.write(model, s.gpu(), s.nodes(), s.gpusPerNode(), s.mixedPrecision(), dir,
                        locator.hardwareDir(), !haveModel, !haveHardware);
                if (!haveModel) modelPath = dir.toString();
                if (!haveHardware) hwPath = dir.toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        ProfileArgs args = new ProfileArgs(s.nodes(), s.gpusPerNode(), s.mixedPrecision(), s.sequenceParallel(),
                s.spSpace() == studio.engine.cost.SpSpace.TP_SP, studio.engine.profile.TimeProfileMode.STATIC,
                studio.engine.profile.MemoryProfileMode.STATIC, modelPath, modelPath, hwPath, hwPath, hwPath, hwPath);
        return new PlanningContext(s, model, locator.load(model, args), estimated);
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
