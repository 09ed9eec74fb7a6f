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
    private final Path measuredRoot;

    /** Profiles measured on the user's clusters go to {@code ~/.galvatron-studio/measured}. */
    public ContextLoader(Path sampleRoot) {
        this(sampleRoot, Path.of(System.getProperty("user.home"), ".galvatron-studio", "measured"));
    }

    public ContextLoader(Path sampleRoot, Path measuredRoot) {
        this.sampleRoot = sampleRoot;
        this.measuredRoot = measuredRoot;
    }

    public Path sampleRoot() { return sampleRoot; }

    /** Where profiles measured on the user's cluster are kept: model files here, hardware files in {@code hardware_configs/}. */
    public Path measuredRoot() { return measuredRoot; }

    public Path measuredHardwareDir() { return measuredRoot.resolve("hardware_configs"); }

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
        java.util.List<String> measured = new java.util.ArrayList<>();
        // the user's own measurements win over Galvatron's samples and over estimates
        if (java.nio.file.Files.isRegularFile(measuredRoot.resolve(studio.engine.profile.ProfilePaths.computationFile(s.mixedPrecision(), name)))
                && java.nio.file.Files.isRegularFile(measuredRoot.resolve(studio.engine.profile.ProfilePaths.memoryFile(s.mixedPrecision(), name)))) {
            haveModel = true;
            modelPath = measuredRoot.toString();
            measured.add("model profile of " + name + " measured on the cluster (" + measuredRoot + ")");
        }
        Path hw = measuredHardwareDir();
        if (java.nio.file.Files.isRegularFile(hw.resolve(studio.engine.profile.ProfilePaths.allreduceFile(s.nodes(), s.gpusPerNode())))
                && java.nio.file.Files.isRegularFile(hw.resolve(studio.engine.profile.ProfilePaths.p2pFile(s.nodes(), s.gpusPerNode())))
                && java.nio.file.Files.isRegularFile(hw.resolve(studio.engine.profile.ProfilePaths.OVERLAP_FILE))) {
            haveHardware = true;
            hwPath = hw.toString();
            measured.add("hardware profile of " + s.nodes() + " x " + s.gpusPerNode() + " GPUs measured on the cluster (" + hw + ")");
        }
        if (!haveModel || !haveHardware) {
            try {
                Path dir = studio.engine.estimate.EstimatedInputs.folder(s.gpu(), s.nodes(), s.gpusPerNode());
                estimated = studio.engine.estimate.EstimatedInputs.write(model, s.gpu(), s.nodes(), s.gpusPerNode(), s.mixedPrecision(), dir,
                        locator.hardwareDir(), !haveModel, !haveHardware);
                if (modelPath == null && !haveModel) modelPath = dir.toString();
                if (hwPath == null && !haveHardware) hwPath = dir.toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        ProfileArgs args = new ProfileArgs(s.nodes(), s.gpusPerNode(), s.mixedPrecision(), s.sequenceParallel(),
                s.spSpace() == studio.engine.cost.SpSpace.TP_SP, studio.engine.profile.TimeProfileMode.STATIC,
                studio.engine.profile.MemoryProfileMode.STATIC, modelPath, modelPath, hwPath, hwPath, hwPath, hwPath);
        return new PlanningContext(s, model, locator.load(model, args), estimated, String.join("; ", measured));
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
