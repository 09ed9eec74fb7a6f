package studio.engine.inputs.v3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.cost.v3.CostInputs;
import studio.engine.cost.v3.CostSettings;
import studio.engine.cost.v3.Galvatron3CostModel;
import studio.engine.io.HydraConfig;
import studio.engine.io.InputFileException;
import studio.engine.model.Precision;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;
import studio.engine.profile.v3.HardwareTables;
import studio.engine.profile.v3.ModelProfile;
import studio.engine.profile.v3.ProfileReader;
import studio.engine.search.v3.BatchRange;
import studio.engine.search.v3.ExpertSpace;
import studio.engine.search.v3.SearchSettings;
import studio.engine.search.v3.SpaceLimits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Galvatron 3.0 search as {@code search_dist.py <yaml> [overrides]} sets it up (v3 spec §1, §2): the Hydra-composed
 * YAML, the model resolved, the six profile and hardware files found where Galvatron looks for them (relative paths
 * from the model folder, the one holding {@code scripts/} and {@code configs/}), read, and the search settings.
 *
 * @param ignoredKeys keys the YAML sets that the search does not read (Galvatron ignores them silently; we say so)
 * @param departures  in studio mode, where the inputs were read otherwise than Galvatron 3.0 reads them, and why
 */
public record Galvatron3Inputs(Path yaml, Path modelFolder, ModelInfo3 model, SearchSettings settings,
                               ModelProfile profile, studio.engine.profile.HardwareProfile hardwareProfile, HardwareTables hardware,
                               Path outputFolder, Path logFolder, List<String> ignoredKeys, List<String> departures) {
    private static final List<String> MODES = List.of("static", "batch", "sequence", "hybrid");

    public Galvatron3CostModel costModel() {
        return new Galvatron3CostModel(new CostInputs(profile, hardware, settings.cost()));
    }

    /**
     * The model as the rest of the engine describes it: one layer type (hidden, sequence length, layers), heads,
     * query groups, FFN and vocabulary sizes where the model YAML or HF config gives them (0 when not).
     */
    public studio.engine.model.ModelDescription modelDescription() {
        var cost = settings.cost();
        int heads = orZero(model.integer("num_attention_heads"));
        Integer groups = model.integer("num_query_groups");
        return new studio.engine.model.ModelDescription(settings.modelName(), studio.engine.model.ModelFamily.LLAMA_HF,
                List.of(new studio.engine.model.LayerType(cost.hiddenSize(), cost.seqLength(), cost.layerCount())), cost.hiddenSize(), heads,
                groups != null ? groups : heads, orZero(model.integer("ffn_hidden_size")), orZero(model.integer("vocab_size")));
    }

    /** The same profiles as the v2 model takes them (what the studio's other views cost with). */
    public studio.engine.profile.ProfileBundle profileBundle() {
        return new studio.engine.profile.ProfileBundle(modelDescription(), List.of(profile.layerForward()), profile.otherForward(),
                List.of(new studio.engine.profile.LayerMemoryProfile(profile.parameterMb(), profile.activationMbByDegree(), profile.checkpointActivationMb())),
                profile.noPipeline(), profile.firstStage(), profile.lastStage(), hardwareProfile, profile.memoryFile());
    }

    private static int orZero(Integer v) { return v == null ? 0 : v; }

    public studio.engine.cost.v3.Galvatron3Evaluator evaluator() {
        return new studio.engine.cost.v3.Galvatron3Evaluator(costModel(), modelDescription(), settings.memoryConstraintGb());
    }

    /** True when {@code file} names a YAML config (what Galvatron 3.0's search_dist.py requires). */
    public static boolean isYaml(String file) {
        String f = file.toLowerCase(java.util.Locale.ROOT);
        return f.endsWith(".yaml") || f.endsWith(".yml");
    }

    /** The model folder: the nearest folder above the YAML holding both scripts/ and configs/, else the YAML's own folder's parent when it is scripts/, else its folder. */
    public static Path modelFolderOf(Path yaml) {
        Path dir = yaml.toAbsolutePath().normalize().getParent();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("scripts")) && Files.isDirectory(d.resolve("configs"))) return d;
        }
        if (dir.getFileName() != null && dir.getFileName().toString().equals("scripts") && dir.getParent() != null) return dir.getParent();
        return dir;
    }

    /**
     * Whether the YAML's model has routed experts ({@code num_moe_experts}, from the YAML, its model YAML or HF
     * config): such a model is searched and costed only in the studio's mode, Galvatron 3.0 profiling no MoE layer.
     */
    public static boolean hasExperts(Path yaml, List<String> overrides, Path modelFolder) {
        Path file = yaml.toAbsolutePath().normalize();
        Path cwd = modelFolder != null ? modelFolder.toAbsolutePath().normalize() : modelFolderOf(file);
        return hasExperts(file, HydraConfig.compose(file, overrides), cwd);
    }

    private static boolean hasExperts(Path file, ObjectNode root, Path cwd) {
        JsonNode info = root.path("search_engine").path("model_info");
        return info.isObject() && ModelInfo3.resolve(file, (ObjectNode) info, cwd).integer("num_moe_experts") != null;
    }

    /**
     * A YAML as the studio opens it, composed once: Galvatron 3.0's reading exactly, or for an MoE model (which 3.0
     * neither profiles nor costs) the studio's lenient one.
     */
    public static Galvatron3Inputs loadForStudio(Path yaml, List<String> overrides) {
        Path file = yaml.toAbsolutePath().normalize();
        Path cwd = modelFolderOf(file);
        ObjectNode root = HydraConfig.compose(file, overrides);
        return load(file, root, cwd, hasExperts(file, root, cwd));
    }

    public static Galvatron3Inputs load(Path yaml, List<String> overrides, Path modelFolder) {
        return load(yaml, overrides, modelFolder, false);
    }

    /**
     * @param lenient (the studio's mode) where Galvatron 3.0 dies on inputs that still allow a search, read them the way that works and say
     *               so in {@link #departures()}: a one-length profile in sequence time mode is timed as static, a
     *               missing sequence length in static memory mode is scaled (sequence mode), a profile with only the
     *               other kind of Megatron-SP entries is read as it is, hybrid / batch modes fall back to static
     */
    public static Galvatron3Inputs load(Path yaml, List<String> overrides, Path modelFolder, boolean lenient) {
        Path file = yaml.toAbsolutePath().normalize();
        Path cwd = modelFolder != null ? modelFolder.toAbsolutePath().normalize() : modelFolderOf(file);
        return load(file, HydraConfig.compose(file, overrides), cwd, lenient);
    }

    private static Galvatron3Inputs load(Path file, ObjectNode root, Path cwd, boolean lenient) {
        JsonNode engine = root.get("search_engine");
        if (engine == null || !engine.isObject()) {
            throw new InputFileException(file, "search_engine", engine == null
                    ? "missing; a Galvatron 3.0 search YAML has a search_engine group (scripts/search_dist.yaml)"
                    : "expected a group of keys, found " + studio.engine.io.JsonFiles.kind(engine));
        }
        List<String> ignored = new ArrayList<>();
        ArgGroup batch = group(file, engine, "batch_size_info");
        ArgGroup hw = group(file, engine, "hardware_info");
        ArgGroup space = group(file, engine, "search_space_info");
        ArgGroup prof = group(file, engine, "profiling_info");
        ArgGroup options = group(file, engine, "options_info");
        ArgGroup debug = group(file, engine, "debug_info");
        ArgGroup parallel = group(file, engine, "parallelism_info");
        ArgGroup train = group(file, engine, "common_train_info");
        ArgGroup modelGroup = group(file, engine, "model_info");

        BatchRange range = new BatchRange(batch.atLeast("min_bsz", 8, 1), batch.atLeast("max_bsz", 8, 1), batch.atLeast("bsz_scale", 8, 1),
                batch.integer("settle_bsz", -1), batch.integer("settle_chunk", -1));
        batch.integer("recommend_min_bsz", 0);
        if (range.settleBsz() <= 0 && range.maxBsz() < range.minBsz()) {
            throw new InputFileException(file, "search_engine.batch_size_info.max_bsz", "expected at least min_bsz (" + range.minBsz() + "), found " + range.maxBsz());
        }
        int nodes = hw.atLeast("num_nodes", 1, 1);
        int gpus = hw.atLeast("num_gpus_per_node", 8, 1);
        int memoryGb = hw.atLeast("memory_constraint", 24, 1);
        int world = nodes * gpus;
        if (Integer.bitCount(world) != 1) {
            throw new InputFileException(file, "search_engine.hardware_info", "num_nodes x num_gpus_per_node = " + world + "; Galvatron needs a power of two");
        }
        SpaceLimits limits = new SpaceLimits(space.flag("disable_dp", false), space.flag("disable_tp", false), space.flag("disable_sp", false),
                space.flag("disable_pp", false), space.flag("disable_ckpt", false), space.flag("disable_fsdp", false),
                space.flag("disable_cp", true), space.flag("disable_embedding_lmhead_tp", false), space.flag("disable_embedding_lmhead_sp", false),
                space.atLeast("max_tp_deg", 8, 1), space.atLeast("max_pp_deg", 8, 1), space.atLeast("max_sp_deg", 8, 1), space.atLeast("max_cp_deg", 8, 1));

        String timeMode = prof.choice("time_profile_mode", "static", MODES);
        String memoryMode = prof.choice("memory_profile_mode", "static", MODES);
        boolean fineGrained = options.integer("fine_grained_mode", 1) != 0;
        options.bool("parallel_search", false); // accepted and checked: our sub-searches always run on every core
        int worker = options.integer("worker", 0);
        if (worker < 0) throw new InputFileException(file, "search_engine.options_info.worker", "expected an integer of at least 0, found " + worker);
        String logDir = options.text("log_dir", "logs");
        String outputPath = options.text("output_config_path", null);
        double coe = debug.number("debug_costmodel_coe", 1.0);

        DpType dpType = DpType.parse(parallel.choice("default_dp_type", "ddp", List.of("ddp", "zero2", "zero3")));
        PipelineType pipeline = PipelineType.parse(parallel.choice("pipeline_type", "gpipe", List.of("gpipe", "pipedream_flush")));
        Precision precision = Precision.parse(parallel.choice("mixed_precision", "bf16", List.of("fp32", "fp16", "bf16")));
        boolean async = parallel.bool("async_grad_reduce", true);
        boolean sequenceParallel = train.bool("sequence_parallel", true);
        boolean buffer = train.bool("global_memory_buffer", true);
        Integer seq = train.optionalInt("seq_length");

        ModelInfo3 model = ModelInfo3.resolve(file, modelGroup.node(), cwd);
        if (seq == null) seq = model.hfSeqLength();
        if (seq == null || seq < 1) {
            throw new InputFileException(file, "search_engine.common_train_info.seq_length", seq == null
                    ? "not set; the search needs the sequence length (the shipped YAML sets it with ${SEQ_LENGTH})"
                    : "expected a positive sequence length, found " + seq);
        }
        Integer hidden = model.integer("hidden_size");
        Integer layers = model.integer("num_layers");
        if (hidden == null || hidden < 1) throw new InputFileException(file, "search_engine.model_info.hidden_size", "not resolved; set it, or model_config_path / hf_model_name_or_path");
        if (layers == null || layers < 1) throw new InputFileException(file, "search_engine.model_info.num_layers", "not resolved; set it, or model_config_path / hf_model_name_or_path");
        String modelName = modelName(model);
        JsonNode moe = modelGroup.node().get("is_moe_model");
        if (moe != null && moe.asBoolean(false) && !(lenient && model.integer("num_moe_experts") != null)) {
            ignored.add("search_engine.model_info.is_moe_model (Galvatron 3.0's search does not model experts, quirk Q-v3-20; the layer is costed from its profile)");
        }
        if (worker != 0) ignored.add("search_engine.options_info.worker (Galvatron 3.0 ignores it, quirk Q-v3-21)");

        List<String> departures = new java.util.ArrayList<>();
        if (lenient && timeMode.equals("hybrid")) {
            departures.add("time_profile_mode hybrid loads nothing in Galvatron 3.0 (it dies in set_cost_models): timed with static");
            timeMode = "static";
        }
        if (lenient && (memoryMode.equals("batch") || memoryMode.equals("hybrid"))) {
            departures.add("memory_profile_mode " + memoryMode + " loads nothing in Galvatron 3.0: read with static");
            memoryMode = "static";
        }
        if (timeMode.equals("hybrid")) {
            throw new InputFileException(file, "search_engine.profiling_info.time_profile_mode", "hybrid is accepted by Galvatron 3.0 but loads nothing (it dies in set_cost_models); use static, batch or sequence");
        }
        if (memoryMode.equals("batch") || memoryMode.equals("hybrid")) {
            throw new InputFileException(file, "search_engine.profiling_info.memory_profile_mode", memoryMode + " is accepted by Galvatron 3.0 but loads nothing (it dies at the first vocabulary cost); use static or sequence");
        }
        String mp = precision.configName();
        Path configs = cwd.resolve("configs");
        Path hardwareDir = cwd.resolve("../../profile_hardware/hardware_configs").normalize();
        Path timeFile = dir(prof, "time_profiling_path", cwd, configs).resolve("computation_profiling_" + mp + "_" + modelName + "_all.json");
        Path memoryFile = dir(prof, "memory_profiling_path", cwd, configs).resolve("memory_profiling_" + mp + "_" + modelName + "_all.json");
        String cluster = nodes + "nodes_" + gpus + "gpus_per_node.json";
        Path allreduce = dir(prof, "allreduce_bandwidth_config_path", cwd, hardwareDir).resolve("allreduce_bandwidth_" + cluster);
        Path p2p = dir(prof, "p2p_bandwidth_config_path", cwd, hardwareDir).resolve("p2p_bandwidth_" + cluster);
        Path overlap = dir(prof, "overlap_coe_path", cwd, hardwareDir).resolve("overlap_coefficient.json");
        Path spTime = dir(prof, "sp_time_path", cwd, hardwareDir).resolve("sp_time_" + cluster);
        // MoE in the studio's mode: Galvatron's profiler measures no MoE layer, so the model's profiles are estimated
        // from its shape, and hardware files the cluster lacks are estimated beside the measured ones
        studio.engine.model.Architecture arch = null;
        if (lenient && (!limits.disableCp() || model.integer("num_moe_experts") != null)) arch = architecture(file, modelName, model);
        boolean experts = arch != null && arch.isMoe();
        if (experts) {
            List<Path> missing = new ArrayList<>();
            for (Path p : List.of(allreduce, p2p, overlap, spTime)) if (!Files.isRegularFile(p)) missing.add(p);
            if (!missing.isEmpty()) {
                Path estimatedDir = estimatedHardware(nodes, gpus, allreduce.getParent());
                allreduce = present(allreduce, estimatedDir);
                p2p = present(p2p, estimatedDir);
                overlap = present(overlap, estimatedDir);
                spTime = present(spTime, estimatedDir);
                departures.add("ESTIMATED hardware: " + missing.stream().map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.joining(", "))
                        + " not found; estimated for A100-80GB-SXM (Galvatron's measured GPU) beside the measured files");
            }
        }
        for (Path p : experts ? List.of(allreduce, p2p, overlap, spTime) : List.of(timeFile, memoryFile, allreduce, p2p, overlap, spTime)) {
            if (!Files.isRegularFile(p)) {
                throw new InputFileException(p, null, "file not found (Galvatron 3.0 reads it for model_size '" + model.text("model_size")
                        + "' on " + nodes + "x" + gpus + "; profile it, or point search_engine.profiling_info.*_path at its folder)");
            }
        }
        ModelProfile profile;
        studio.engine.cost.v3.ExpertLayer.Shape expertShape = null;
        // what the runner measured beside Galvatron's files (profile-model --layer-parts), at the searched length only
        // (studio mode only: Galvatron 3.0 reads none)
        studio.engine.profile.v3.LayerParts parts = lenient ? studio.engine.profile.v3.LayerParts.find(timeFile.getParent(), mp, modelName) : null;
        if (parts != null && parts.seqLength() != seq) {
            departures.add(parts.file().getFileName() + " was measured at sequence length " + parts.seqLength() + ", the search is at " + seq
                    + ": not used (profile the layer's parts at " + seq + ")");
            parts = null;
        }
        if (experts) {
            if (!arch.runnableByGalvatron() || arch.moe().sharedExpertFfn() > 0 || arch.moe().firstDenseLayers() > 0) {
                throw new InputFileException(file, "search_engine.model_info", arch.name() + ": "
                        + (!arch.runnableByGalvatron() ? "multi-head latent attention" : arch.moe().sharedExpertFfn() > 0 ? "shared experts" : "leading dense layers")
                        + " are not built by Galvatron 3.0's runtime (moe_modules.py), so no config for it can run; plan it as a what-if in the studio");
            }
            Double imbalance = modelGroup.has("moe_load_imbalance") ? modelGroup.number("moe_load_imbalance", 1) : null;
            if (imbalance != null && !(imbalance >= 1)) {
                throw new InputFileException(file, "search_engine.model_info.moe_load_imbalance", "expected the busiest expert rank's load over the mean, at least 1, found " + imbalance);
            }
            Double capacity = modelGroup.has("moe_expert_capacity_factor") ? modelGroup.number("moe_expert_capacity_factor", 1) : null;
            DpType plain = dpType == DpType.DDP ? DpType.DDP : DpType.ZERO2;
            studio.engine.estimate.ExpertEstimator.Estimate estimate = new studio.engine.estimate.ExpertEstimator(studio.engine.estimate.Calibration.a100())
                    .estimate(arch, seq, precision, studio.engine.estimate.GpuCatalog.gpu(studio.engine.estimate.GpuCatalog.MEASURED), Math.min(64, world), sequenceParallel,
                            plain, gpus, imbalance, capacity);
            profile = estimate.dense();
            expertShape = estimate.experts();
            departures.add(estimate.description());
            if (parts != null && parts.experts()) {
                // measured on a node: the dense part's and one expert's compute replace the shape's estimates
                profile = profile.withForwardScaled(parts.denseMsPerSample() / profile.layerForward().msFor(1), 1);
                var e = expertShape;
                expertShape = new studio.engine.cost.v3.ExpertLayer.Shape(e.experts(), e.topK(), e.expertFfn(), e.gated(), e.parametersPerExpert(),
                        e.loadImbalance(), parts.expertMsPerAssignment(), e.activationScale(), e.plainDpType(), e.gpusPerNode());
                departures.add(String.format(java.util.Locale.ROOT, "MEASURED: the MoE layer's compute from %s (%s): %.4f ms a sample without "
                        + "its experts, %.6f ms a token through one expert; memory and the vocabulary stay estimated", parts.file().getFileName(),
                        parts.device(), parts.denseMsPerSample(), parts.expertMsPerAssignment()));
            }
        } else if (lenient) {
            ProfileReader.Lenient read = ProfileReader.readLenient(timeFile, TimeProfileMode.parse(timeMode), memoryFile,
                    MemoryProfileMode.parse(memoryMode), seq, sequenceParallel, departures);
            profile = read.profile();
            sequenceParallel = read.sequenceParallel();
            if (read.timeProfiledSeq() != null) {
                int s0 = read.timeProfiledSeq();
                studio.engine.model.Architecture shape = null;
                try {
                    shape = arch != null ? arch : studio.engine.model.ArchitectureReader.fromGalvatron3(file, modelName, model.values());
                } catch (InputFileException e) {
                    // the model's fields do not give its shape: the time stays as Galvatron 3.0 reads it
                }
                if (shape != null && s0 > 0) {
                    var count = new studio.engine.model.ParameterCount(shape);
                    double layer = count.forwardFlopsPerToken(0, seq) * seq / (count.forwardFlopsPerToken(0, s0) * s0);
                    profile = profile.withForwardScaled(layer, (double) seq / s0);
                    departures.add(String.format(java.util.Locale.ROOT, "no layer time in %s was measured at sequence length %d (Galvatron 3.0 uses "
                            + "its %d entry unchanged, quirk Q-v3-5): scaled from the profiled length by the layer's FLOPs, x%.3f (attention "
                            + "grows with the square of the length), the vocabulary's x%.3f; profile at %d for a measured number",
                            timeFile.getFileName(), seq, s0, layer, (double) seq / s0, seq));
                } else {
                    departures.add("no layer time in " + timeFile.getFileName() + " was measured at sequence length " + seq
                            + ": static time mode uses its first entry unchanged, as Galvatron 3.0 does (quirk Q-v3-5), so compute time is not scaled "
                            + "to this length; profile at " + seq + " for a faithful number");
                }
            }
            if (!sequenceParallel && !limits.disableVocabularyTp()) {
                departures.add("sequence_parallel false with a Megatron-TP vocabulary: Galvatron 3.0 asserts; the vocabulary is searched without "
                        + "Megatron-TP (disable_embedding_lmhead_tp)");
                limits = new SpaceLimits(limits.disableDp(), limits.disableTp(), limits.disableSp(), limits.disablePp(), limits.disableCheckpoint(),
                        limits.disableFsdp(), limits.disableCp(), true, limits.disableVocabularySp(), limits.maxTp(), limits.maxPp(), limits.maxSp(),
                        limits.maxCp());
            }
            if (!fineGrained && memoryGb <= 20) {
                departures.add("fine_grained_mode 0 at " + memoryGb + " GB: Galvatron 3.0's coarse search dies without its cache reserve "
                        + "(AttributeError 'mem_sub_cache'); searched with no reserve, as the budget says");
            }
        } else {
            profile = ProfileReader.read(timeFile, TimeProfileMode.parse(timeMode), memoryFile, MemoryProfileMode.parse(memoryMode), seq,
                    sequenceParallel);
        }
        CostSettings cost = new CostSettings(world, layers, hidden, seq, precision, async, sequenceParallel, buffer, pipeline, coe);
        ExpertSpace expertSpace = null;
        if (experts) {
            cost = cost.withExperts(expertShape);
            int stageMax = world;
            expertSpace = new ExpertSpace(arch.moe().experts(), arch.moe().expertFfn(),
                    space.flag("disable_ep", false) ? 1 : space.atLeast("max_ep_deg", Math.min(arch.moe().experts(), stageMax), 1),
                    space.flag("disable_tp_of_ep", false) ? 1 : space.atLeast("max_tp_of_ep_deg", Math.min(limits.maxTp(), gpus), 1));
            departures.add("routed experts costed per layer (expert parallelism ep up to " + expertSpace.maxEp() + ", expert TP up to "
                    + expertSpace.maxExpertTp() + ", four all-to-alls a layer, expert gradients over the expert-data-parallel group; Galvatron 3.0 "
                    + "does not cost experts); ep_sizes_enc and tp_of_ep_sizes_enc written");
        }
        if (lenient && !limits.disableCp()) {
            var ring = studio.engine.cost.v3.RingAttention.Shape.of(arch, seq);
            if (parts != null && parts.attentionShare() != null) {
                departures.add(String.format(java.util.Locale.ROOT, "MEASURED: the ring-attention step's share of the layer from %s (cp %s): "
                        + "%.3f, the FLOPs say %.3f", parts.file().getFileName(), parts.ringStepMs().keySet(), parts.attentionShare(), ring.attentionShare()));
                ring = new studio.engine.cost.v3.RingAttention.Shape(ring.kvWidth(), parts.attentionShare());
            }
            cost = cost.withRing(ring);
            departures.add("context parallelism costed as ring attention (compute, activations and messages split over cp, K/V exchanges "
                    + "overlapped with block attention; Galvatron 3.0 does not cost cp, quirk Q-v3-4); cp_sizes_enc written");
        }
        SearchSettings settings = new SearchSettings(modelName, nodes, gpus, memoryGb, range, limits, fineGrained, dpType, cost, lenient, expertSpace);
        studio.engine.profile.HardwareProfile hardwareProfile = studio.engine.profile.HardwareProfile.read(world, allreduce, p2p, overlap, spTime);
        HardwareTables hardware = HardwareTables.of(hardwareProfile);

        Path out = outputPath == null ? configs : ModelInfo3.resolvePath(cwd, outputPath);
        Path log = ModelInfo3.resolvePath(cwd, logDir);
        Set<String> galvatronKnown = Set.of("set_model_config_manually", "set_layernum_manually", "set_seqlen_manually", "is_moe_model");
        for (ArgGroup g : List.of(batch, hw, space, prof, options, debug)) ignored.addAll(g.unread(Set.of()));
        ignored.addAll(modelGroup.unread(galvatronKnown).stream().filter(k -> !isModelField(k)).toList());
        return new Galvatron3Inputs(file, cwd, model, settings, profile, hardwareProfile, hardware, out, log, ignored, departures);
    }

    private static studio.engine.model.Architecture architecture(Path file, String modelName, ModelInfo3 model) {
        try {
            return studio.engine.model.ArchitectureReader.fromGalvatron3(file, modelName, model.values());
        } catch (InputFileException e) {
            throw new InputFileException(file, "search_engine.model_info", "the studio's mode costs context parallelism as ring attention and "
                    + "experts per layer, which needs the model's heads, query groups, FFN and vocabulary sizes (" + e.getMessage() + ")");
        }
    }

    /** The hardware files of a cluster, estimated into a fresh folder, Galvatron's measured ones copied where they exist. */
    private static Path estimatedHardware(int nodes, int gpus, Path measuredDir) {
        try {
            Path dir = studio.engine.estimate.EstimatedInputs.folder(studio.engine.estimate.GpuCatalog.MEASURED, nodes, gpus);
            studio.engine.estimate.HardwareEstimator.write(studio.engine.estimate.GpuCatalog.MEASURED, nodes, gpus, dir, measuredDir);
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write estimated hardware files: " + e.getMessage(), e);
        }
    }

    private static Path present(Path file, Path estimatedDir) {
        return Files.isRegularFile(file) ? file : estimatedDir.resolve(file.getFileName().toString());
    }

    private static boolean isModelField(String key) {
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        return ModelInfo3.YAML_FIELDS.contains(leaf) || leaf.equals("model_config_path") || leaf.equals("hf_model_name_or_path");
    }

    private static ArgGroup group(Path file, JsonNode engine, String name) {
        return new ArgGroup(file, "search_engine." + name, engine.get(name));
    }

    private static Path dir(ArgGroup prof, String key, Path cwd, Path fallback) {
        String v = prof.text(key, null);
        return v == null ? fallback : ModelInfo3.resolvePath(cwd, v);
    }

    /** {@code model_name(args)}: the last path component of model_size, else of the HF path, else "unknown". */
    static String modelName(ModelInfo3 model) {
        String size = model.text("model_size");
        if (size == null || size.isEmpty()) size = model.text("hf_model_name_or_path");
        if (size == null || size.isEmpty()) return "unknown";
        String s = size.endsWith("/") ? size.substring(0, size.length() - 1) : size;
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
