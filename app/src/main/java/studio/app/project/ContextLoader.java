package studio.app.project;

import studio.engine.profile.OptimizerStepProfile;
import studio.engine.cost.SpSpace;
import studio.engine.estimate.EstimatedInputs;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.ParallelPlan;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.ProfilePaths;
import studio.engine.profile.TimeProfileMode;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** Recently loaded contexts and searched plans: going back to a cluster or model is instant. */
    private static final int CACHED = 12;
    private final java.util.Map<ClusterSettings, PlanningContext> contexts = lru();
    private final java.util.Map<SearchKey, ParallelPlan> searched = lru();

    /** A context by identity (hashing its profiles would cost more than it saves) and a batch size. */
    private record SearchKey(PlanningContext context, int globalBatch) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SearchKey k && k.context == context && k.globalBatch == globalBatch;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(context) + globalBatch;
        }
    }

    private static <K, V> java.util.Map<K, V> lru() {
        return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<K, V>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<K, V> eldest) {
                return size() > CACHED;
            }
        });
    }

    /** Forgets what was loaded: after profiles were measured on a cluster, the next load reads the files again. */
    public void forget() {
        contexts.clear();
        searched.clear();
    }

    /** Where profiles measured on the user's cluster are kept: model files here, hardware files in {@code hardware_configs/}. */
    public Path measuredRoot() { return measuredRoot; }

    public Path measuredHardwareDir() { return measuredRoot.resolve("hardware_configs"); }

    /**
     * Each profile from the first place that has it: what the user measured on a cluster ({@link #measuredRoot()}),
     * Galvatron's samples when the GPU is theirs, else estimates, said so in {@link PlanningContext#estimated()}.
     */
    public PlanningContext load(ClusterSettings s) {
        PlanningContext cached = contexts.get(s);
        if (cached != null) return cached;
        PlanningContext loaded = loadUncached(s);
        contexts.put(s, loaded);
        return loaded;
    }

    private PlanningContext loadUncached(ClusterSettings s) {
        if (s.modelIsYaml()) return loadYaml(s);
        ModelDescription model = new ModelCatalog(sampleRoot).resolve(s.model());
        if (s.seqLength() > 0 && s.seqLength() != model.maxSeqLength()) {
            // measured profiles hold the lengths they were measured at; at another length the model's layers are estimated
            try {
                return load(s, model.withSeqLength(s.seqLength()), false);
            } catch (studio.engine.io.InputFileException e) {
                return load(s, model.withSeqLength(s.seqLength()), true);
            }
        }
        return load(s, model, false);
    }

    private PlanningContext load(ClusterSettings s, ModelDescription model, boolean estimateModelAnyway) {
        InputLocator locator = new InputLocator(sampleRoot);
        boolean sampleGpu = ClusterSettings.MEASURED_GPU.equals(s.gpu());
        String name = model.profileName();
        List<String> measured = new ArrayList<>();
        String modelPath = null; // null: the samples
        String hwPath = null;
        boolean estimateModel = false;
        boolean estimateHardware = false;
        if (hasModelProfiles(measuredRoot, s, name)) {
            modelPath = measuredRoot.toString();
            measured.add("model profile of " + name + " measured on the cluster (" + measuredRoot + ")");
        } else {
            estimateModel = !(sampleGpu && hasModelProfiles(locator.modelConfigDir(model), s, name));
        }
        if (estimateModelAnyway) {
            estimateModel = true;
            modelPath = null;
            measured.removeIf(m -> m.startsWith("model profile"));
        }
        OptimizerStepProfile optimizerStep = null;
        if (hasHardwareProfiles(measuredHardwareDir(), s)) {
            hwPath = measuredHardwareDir().toString();
            measured.add("hardware profile of " + s.nodes() + " x " + s.gpusPerNode() + " GPUs measured on the cluster ("
                    + measuredHardwareDir() + ")");
            // the step was timed on these GPUs with the rest of their hardware profile: read only beside it
            optimizerStep = OptimizerStepProfile.readIfPresent(measuredHardwareDir());
            if (optimizerStep != null) measured.add("optimizer step measured on the cluster (" + optimizerStep.file() + ")");
        } else {
            estimateHardware = !(sampleGpu && hasHardwareProfiles(locator.hardwareDir(), s));
        }
        String estimated = "";
        Path dir = null;
        if (estimateModel || estimateHardware) {
            try {
                dir = EstimatedInputs.folder(s.gpu(), s.nodes(), s.gpusPerNode());
                estimated = EstimatedInputs.write(model, s.gpu(), s.nodes(), s.gpusPerNode(), s.mixedPrecision(), dir, locator.hardwareDir(),
                        estimateModel, estimateHardware);
                if (estimateModel) modelPath = dir.toString();
                if (estimateHardware) hwPath = dir.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ProfileArgs args = new ProfileArgs(s.nodes(), s.gpusPerNode(), s.mixedPrecision(), s.sequenceParallel(),
                s.spSpace() == SpSpace.TP_SP, TimeProfileMode.STATIC, MemoryProfileMode.STATIC, modelPath, modelPath, hwPath, hwPath, hwPath,
                hwPath);
        try {
            return new PlanningContext(s, model, locator.load(model, args), estimated, String.join("; ", measured), null, optimizerStep);
        } finally {
            // the profiles are in memory now: a studio that reloads all day leaves no folders behind
            if (dir != null) EstimatedInputs.discard(dir);
        }
    }

    /**
     * A Galvatron 3.0 search YAML: its model and profiles, with the toolbar's cluster, budget, precision, schedule,
     * DP type, Megatron-SP and sequence length applied as Hydra overrides (so a change there reads the right files).
     */
    private static PlanningContext loadYaml(ClusterSettings s) {
        List<String> o = new ArrayList<>(List.of("++search_engine.hardware_info.num_nodes=" + s.nodes(),
                "++search_engine.hardware_info.num_gpus_per_node=" + s.gpusPerNode(), "++search_engine.hardware_info.memory_constraint=" + s.memoryGb(),
                "++search_engine.parallelism_info.mixed_precision=" + s.mixedPrecision(),
                "++search_engine.parallelism_info.pipeline_type=" + s.pipelineType().configName(),
                "++search_engine.parallelism_info.default_dp_type=" + s.defaultDpType().configName(),
                "++search_engine.common_train_info.sequence_parallel=" + s.sequenceParallel()));
        if (s.seqLength() > 0) o.add("++search_engine.common_train_info.seq_length=" + s.seqLength());
        studio.engine.inputs.v3.Galvatron3Inputs in = load3(Path.of(s.model()), o);
        return new PlanningContext(s, in.modelDescription(), in.profileBundle(), in.settings().experts() != null ? String.join("; ", in.departures()) : "",
                "", in, null);
    }

    /**
     * A 3.0 YAML as Galvatron 3.0 reads it, but an MoE model in the studio's mode: Galvatron profiles no MoE layer
     * and costs no experts, so its layers are estimated (and said so) and its experts costed and searched.
     */
    private static studio.engine.inputs.v3.Galvatron3Inputs load3(Path yaml, List<String> overrides) {
        return studio.engine.inputs.v3.Galvatron3Inputs.loadForStudio(yaml, overrides);
    }

    /** The settings a Galvatron 3.0 search YAML describes: its model, cluster, budget and training flags, targeting 3.0. */
    public ClusterSettings settingsForYaml(Path yaml) {
        studio.engine.inputs.v3.Galvatron3Inputs in = load3(yaml, List.of());
        var st = in.settings();
        return new ClusterSettings(yaml.toAbsolutePath().normalize().toString(), st.numNodes(), st.gpusPerNode(), st.memoryConstraintGb(),
                st.cost().precision().configName(), st.cost().pipelineType(), st.defaultDpType(), st.cost().sequenceParallel(), SpSpace.TP_SP,
                ClusterSettings.MEASURED_GPU, st.cost().seqLength(), studio.engine.plan.TargetRuntime.GALVATRON_V3);
    }

    private static boolean hasModelProfiles(Path dir, ClusterSettings s, String name) {
        return Files.isRegularFile(dir.resolve(ProfilePaths.computationFile(s.mixedPrecision(), name)))
                && Files.isRegularFile(dir.resolve(ProfilePaths.memoryFile(s.mixedPrecision(), name)));
    }

    private static boolean hasHardwareProfiles(Path dir, ClusterSettings s) {
        return Files.isRegularFile(dir.resolve(ProfilePaths.allreduceFile(s.nodes(), s.gpusPerNode())))
                && Files.isRegularFile(dir.resolve(ProfilePaths.p2pFile(s.nodes(), s.gpusPerNode())))
                && Files.isRegularFile(dir.resolve(ProfilePaths.OVERLAP_FILE));
    }

    /** The fastest runnable plan at the given batch size (the studio's search mode). */
    public ParallelPlan searchedPlan(PlanningContext ctx, int globalBatch) {
        SearchKey key = new SearchKey(ctx, globalBatch);
        ParallelPlan cached = searched.get(key);
        if (cached != null) return cached;
        ParallelPlan p = searchUncached(ctx, globalBatch);
        searched.put(key, p);
        return p;
    }

    private ParallelPlan searchUncached(PlanningContext ctx, int globalBatch) {
        if (ctx.target() == studio.engine.plan.TargetRuntime.GALVATRON_V3) {
            var s = ctx.searchSettings3(globalBatch, -1, true);
            ParallelPlan p = PlanningContext.planOf(new studio.engine.search.v3.Galvatron3Search(ctx.costModel3(), s).search(null), s);
            if (p == null) throw new IllegalStateException("no plan of " + ctx.model().name() + " fits " + ctx.settings().memoryGb() + " GB per GPU");
            return p;
        }
        SearchResult r = new SearchEngine(ctx.costModel(), SearchOptions.defaults().withSettle(globalBatch, -1)
                .withMode(SearchMode.STUDIO)).search();
        if (!r.found()) {
            throw new IllegalStateException("no plan of " + ctx.model().name() + " fits " + ctx.settings().memoryGb() + " GB per GPU");
        }
        return r.plan();
    }

    /** A plan carried to another context, or why it could not be (then {@code plan} is null). */
    public record Carried(ParallelPlan plan, String whyNot) {
    }

    /**
     * The plan re-shaped for another cluster of the same model: each layer keeps its pipeline, TP, ZeRO, Ulysses and
     * checkpointing choices and takes the data-parallel degree the new cluster leaves; not kept when another layer
     * count, or a pipeline or TP degree that does not divide the new cluster, rules it out.
     */
    public static Carried carryOver(ParallelPlan p, PlanningContext ctx) {
        int world = ctx.settings().worldSize();
        if (p.layerCount() != ctx.model().totalLayers()) {
            return new Carried(null, "the plan has " + p.layerCount() + " layers, " + ctx.model().name() + " has " + ctx.model().totalLayers());
        }
        if (world % p.pp() != 0) return new Carried(null, "its " + p.pp() + " pipeline stages do not divide the " + world + " GPUs");
        int stage = world / p.pp();
        String noStage = "a TP degree of the plan does not divide the " + stage + " GPUs of a stage";
        if (stage % p.vocabTp() != 0) return new Carried(null, noStage);
        java.util.List<studio.engine.plan.LayerStrategy> ls = new java.util.ArrayList<>();
        for (studio.engine.plan.LayerStrategy l : p.layers()) {
            if (stage % l.tp() != 0) return new Carried(null, noStage);
            ls.add(l.onStage(p.pp(), l.tp(), stage));
        }
        return new Carried(p.withLayers(ls), null);
    }

    /**
     * The settings a Galvatron config's file name says it was searched for (model when it is a preset, nodes, GPUs per
     * node, budget, precision), over {@code current} where the name says nothing.
     */
    public ClusterSettings settingsFor(Path file, ClusterSettings current) {
        GalvatronConfig.NameInfo n = GalvatronConfig.nameInfo(file.getFileName().toString());
        ClusterSettings s = current;
        if (n.model() != null && new studio.engine.model.ModelCatalog(sampleRoot).presetFile(n.model()) != null) s = s.withModel(n.model());
        if (n.nodes() != null && n.gpusPerNode() != null && n.nodes() > 0 && n.gpusPerNode() > 0) s = s.withCluster(n.nodes(), n.gpusPerNode());
        if (n.memoryGb() != null && n.memoryGb() > 0) s = s.withMemoryGb(n.memoryGb());
        if (n.precision() != null) s = s.withMixedPrecision(n.precision());
        // Galvatron 3.0's search writes world_size, v2's never does
        try {
            if (studio.engine.io.JsonFiles.readObject(file).has("world_size")) s = s.withTarget(studio.engine.plan.TargetRuntime.GALVATRON_V3);
        } catch (studio.engine.io.InputFileException e) {
            // the import itself reports what is wrong with the file
        }
        return s;
    }

    /** A Galvatron config, checked against the context's model. */
    public ParallelPlan importConfig(PlanningContext ctx, Path file) {
        ParallelPlan p = GalvatronConfig.read(file, ctx.settings().worldSize(), ctx.settings().pipelineType(),
                ctx.settings().defaultDpType(), ctx.target()).plan();
        if (p.layerCount() != ctx.model().totalLayers()) {
            throw new IllegalArgumentException(file + ": the plan has " + p.layerCount() + " layers but " + ctx.model().name()
                    + " has " + ctx.model().totalLayers());
        }
        return p;
    }
}
