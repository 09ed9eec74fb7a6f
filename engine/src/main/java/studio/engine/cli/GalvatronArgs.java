package studio.engine.cli;

import picocli.CommandLine.Option;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;

import java.nio.file.Path;

/** Galvatron's own argument names, shared by every command, so a user's search_dist.sh arguments carry over. */
public class GalvatronArgs {
    @Option(names = {"--model_size", "--model"}, paramLabel = "NAME|PATH",
            description = "Model preset (llama-7b, gpt-1.5b, t5-3B, ...) or a meta config / Hugging Face config.json. Default: llama-7b.")
    String modelSize;

    @Option(names = "--model_family", paramLabel = "FAMILY", description = "Family for a manual model: llama_hf, gpt_hf, bert_hf, vit_hf.")
    String modelFamily;

    @Option(names = "--set_model_config_manually", paramLabel = "0|1", description = "1: build the model from --hidden_size etc.")
    int setModelConfigManually;

    @Option(names = "--set_layernum_manually", paramLabel = "0|1", description = "1: use --num_hidden_layers.")
    int setLayernumManually;

    @Option(names = "--set_seqlen_manually", paramLabel = "0|1", description = "1: use --seq_length.")
    int setSeqlenManually;

    @Option(names = "--hidden_size", paramLabel = "H") Integer hiddenSize;

    @Option(names = "--num_hidden_layers", paramLabel = "L") Integer numHiddenLayers;

    @Option(names = "--num_attention_heads", paramLabel = "A") Integer numAttentionHeads;

    @Option(names = "--seq_length", paramLabel = "S") Integer seqLength;

    @Option(names = "--vocab_size", paramLabel = "V") Integer vocabSize;

    @Option(names = "--num_nodes", paramLabel = "N", description = "Nodes (default 1, or from the config file name).") Integer numNodes;

    @Option(names = "--num_gpus_per_node", paramLabel = "G", description = "GPUs per node (default 8, or from the config file name).")
    Integer numGpusPerNode;

    @Option(names = "--memory_constraint", paramLabel = "GB", description = "Per-GPU memory budget in GB (default 24, or from the config file name).")
    Integer memoryConstraint;

    @Option(names = "--mixed_precision", paramLabel = "fp32|fp16|bf16", defaultValue = "bf16") String mixedPrecision;

    @Option(names = "--pipeline_type", paramLabel = "gpipe|pipedream_flush", defaultValue = "gpipe") String pipelineType;

    @Option(names = "--default_dp_type", paramLabel = "ddp|zero2", defaultValue = "ddp") String defaultDpType;

    @Option(names = "--sequence_parallel", description = "Megatron sequence parallelism.") boolean sequenceParallel;

    @Option(names = "--sp_space", paramLabel = "tp|sp|tp+sp", defaultValue = "tp") String spSpace;

    @Option(names = "--no_async_grad_reduce", description = "Reduce gradients every micro-batch.") boolean noAsyncGradReduce;

    @Option(names = "--no_global_memory_buffer", description = "No Megatron-SP global all-gather buffer.") boolean noGlobalMemoryBuffer;

    @Option(names = "--costmodel_coe", paramLabel = "X", defaultValue = "1.0") double costmodelCoe;

    @Option(names = "--disable_vtp", paramLabel = "0|1", defaultValue = "0") int disableVtp;

    @Option(names = "--time_profile_mode", paramLabel = "static|batch|sequence", defaultValue = "static") String timeProfileMode;

    @Option(names = "--memory_profile_mode", paramLabel = "static|sequence", defaultValue = "static") String memoryProfileMode;

    @Option(names = "--time_profiling_path", paramLabel = "DIR|FILE") String timeProfilingPath;

    @Option(names = "--memory_profiling_path", paramLabel = "DIR|FILE") String memoryProfilingPath;

    @Option(names = "--allreduce_bandwidth_config_path", paramLabel = "DIR|FILE") String allreducePath;

    @Option(names = "--p2p_bandwidth_config_path", paramLabel = "DIR|FILE") String p2pPath;

    @Option(names = "--overlap_coe_path", paramLabel = "DIR|FILE") String overlapPath;

    @Option(names = "--sp_time_path", paramLabel = "DIR|FILE") String spTimePath;

    @Option(names = "--gpu", paramLabel = "GPU",
            description = "Estimate what no path names from the model's shape and this GPU: A100-80GB-SXM, A100-40GB-SXM, "
                    + "H100-80GB-SXM, H200-SXM, L40S-PCIe, RTX4090-PCIe.")
    String gpu;

    /** What was estimated rather than measured (empty when everything is measured). */
    String estimated = "";

    @Option(names = "--sample_configs", paramLabel = "DIR", description = "Folder of shipped profiles and presets (default: the installation's sample-configs).")
    Path sampleConfigs;

    /** The model and where its inputs are, with Megatron SP switched on when its profile needs it. */
    record Resolved(Path sampleRoot, ModelDescription model, studio.engine.inputs.InputLocator locator) {
    }

    /** The largest cluster and budget taken as real (they bound the arithmetic, which is in MB). */
    static final int MAX_NODES = 4096;
    static final int MAX_GPUS_PER_NODE = 64;
    static final int MAX_MEMORY_GB = 16384;

    /** Refuses option values Galvatron would misuse or that make no sense, naming the option and what it takes. */
    void validate() {
        if (numNodes != null) UsageException.check(numNodes >= 1 && numNodes <= MAX_NODES, "--num_nodes", numNodes, "1 to " + MAX_NODES);
        if (numGpusPerNode != null) {
            UsageException.check(numGpusPerNode >= 1 && numGpusPerNode <= MAX_GPUS_PER_NODE, "--num_gpus_per_node", numGpusPerNode,
                    "1 to " + MAX_GPUS_PER_NODE);
        }
        if (memoryConstraint != null) {
            UsageException.check(memoryConstraint >= 1 && memoryConstraint <= MAX_MEMORY_GB, "--memory_constraint", memoryConstraint,
                    "a per-GPU budget in GB, 1 to " + MAX_MEMORY_GB);
        }
        UsageException.precision("--mixed_precision", mixedPrecision);
        UsageException.check(Double.isFinite(costmodelCoe) && costmodelCoe > 0 && costmodelCoe <= 1e6, "--costmodel_coe", costmodelCoe,
                "a positive finite factor (1.0 leaves the cost model as it is)");
        UsageException.flag(disableVtp, "--disable_vtp");
        UsageException.flag(setModelConfigManually, "--set_model_config_manually");
        UsageException.flag(setLayernumManually, "--set_layernum_manually");
        UsageException.flag(setSeqlenManually, "--set_seqlen_manually");
        positive(hiddenSize, "--hidden_size", studio.engine.model.ModelCatalog.MAX_SIZE);
        positive(numHiddenLayers, "--num_hidden_layers", studio.engine.model.ModelCatalog.MAX_LAYERS);
        positive(numAttentionHeads, "--num_attention_heads", studio.engine.model.ModelCatalog.MAX_SIZE);
        positive(seqLength, "--seq_length", studio.engine.model.ModelCatalog.MAX_SIZE);
        positive(vocabSize, "--vocab_size", studio.engine.model.ModelCatalog.MAX_SIZE);
        try {
            PipelineType.parse(pipelineType);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--pipeline_type " + pipelineType + ": expected gpipe or pipedream_flush");
        }
        try {
            DpType.parse(defaultDpType);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--default_dp_type " + defaultDpType + ": expected ddp, zero2 or zero3");
        }
        try {
            SpSpace.parse(spSpace);
            TimeProfileMode.parse(timeProfileMode);
            MemoryProfileMode.parse(memoryProfileMode);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static void positive(Integer v, String option, int max) {
        if (v != null) UsageException.check(v >= 1 && v <= max, option, v, "1 to " + max);
    }

    Resolved resolve(java.io.PrintWriter err) {
        Path root = sampleConfigs != null ? sampleConfigs : studio.engine.inputs.InputLocator.defaultSampleRoot();
        ModelDescription m = model(new ModelCatalog(root));
        var locator = new studio.engine.inputs.InputLocator(root);
        if (gpu != null) estimate(m, root, err);
        autoSequenceParallel(locator, m, err);
        return new Resolved(root, m, locator);
    }

    /** Estimated profiles and hardware for what no path names; the paths then point at them. */
    private void estimate(ModelDescription m, Path root, java.io.PrintWriter err) {
        boolean model = timeProfilingPath == null && memoryProfilingPath == null;
        boolean hw = allreducePath == null && p2pPath == null && overlapPath == null && spTimePath == null;
        if (!model && !hw) return;
        try {
            Path dir = studio.engine.estimate.EstimatedInputs.folder(gpu, nodes(), gpusPerNode());
            estimated = studio.engine.estimate.EstimatedInputs.write(m, gpu, nodes(), gpusPerNode(), mixedPrecision, dir,
                    root.resolve("hardware_configs"), model, hw);
            if (model) {
                timeProfilingPath = dir.toString();
                memoryProfilingPath = dir.toString();
            }
            if (hw) {
                allreducePath = dir.toString();
                p2pPath = dir.toString();
                overlapPath = dir.toString();
                spTimePath = dir.toString();
            }
            if (memoryConstraint == null) memoryConstraint = studio.engine.estimate.GpuCatalog.gpu(gpu).memoryGb();
            err.println("note: estimated, not measured: " + estimated);
            err.flush();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot write the estimated profiles: " + e.getMessage());
        }
    }

    studio.engine.cost.CostModel costModel(Resolved r) {
        return new studio.engine.cost.CostModel(r.locator().load(r.model(), profileArgs()), costOptions());
    }

    int nodes() { return numNodes == null ? 1 : numNodes; }

    int gpusPerNode() { return numGpusPerNode == null ? 8 : numGpusPerNode; }

    int memoryGb() { return memoryConstraint == null ? 24 : memoryConstraint; }

    /** Galvatron's model construction: preset, then the manual overrides. */
    ModelDescription model(ModelCatalog catalog) {
        String name = modelSize == null ? "llama-7b" : modelSize;
        ModelDescription m;
        if (setModelConfigManually == 1) {
            if (hiddenSize == null || numHiddenLayers == null || numAttentionHeads == null || seqLength == null) {
                throw new IllegalArgumentException("--set_model_config_manually 1 needs --hidden_size, --num_hidden_layers, "
                        + "--num_attention_heads and --seq_length");
            }
            ModelFamily family = modelFamily != null ? ModelFamily.fromDirectory(modelFamily)
                    : (catalog.presetFile(name) != null ? catalog.resolve(name).family() : ModelFamily.fromDirectory(name));
            m = ModelCatalog.manual(name, family, hiddenSize, numHiddenLayers, numAttentionHeads, seqLength,
                    vocabSize == null ? 32000 : vocabSize);
        } else {
            m = catalog.resolve(name);
        }
        if (setLayernumManually == 1) {
            if (numHiddenLayers == null) throw new IllegalArgumentException("--set_layernum_manually 1 needs --num_hidden_layers");
            m = m.withLayerCount(numHiddenLayers);
        }
        if (setSeqlenManually == 1) {
            if (seqLength == null) throw new IllegalArgumentException("--set_seqlen_manually 1 needs --seq_length");
            m = m.withSeqLength(seqLength);
        }
        return m;
    }

    /** Switches Megatron SP on, with a note, when the memory profile was only measured with it. */
    void autoSequenceParallel(studio.engine.inputs.InputLocator locator, ModelDescription model, java.io.PrintWriter err) {
        if (!sequenceParallel && locator.profileNeedsSequenceParallel(model, profileArgs())) {
            sequenceParallel = true;
            err.println("note: the memory profile of " + model.name() + " only has Megatron-SP (_sp) entries; costing with "
                    + "--sequence_parallel");
            err.flush();
        }
    }

    SpSpace spSpaceValue() {
        return SpSpace.parse(spSpace);
    }

    CostModelOptions costOptions() {
        return new CostModelOptions(nodes() * gpusPerNode(), memoryGb(), mixedPrecision, !noAsyncGradReduce, sequenceParallel,
                spSpaceValue(), PipelineType.parse(pipelineType), dpType(), disableVtp == 1, !noGlobalMemoryBuffer, costmodelCoe);
    }

    DpType dpType() {
        DpType t = DpType.parse(defaultDpType);
        return t;
    }

    ProfileArgs profileArgs() {
        return new ProfileArgs(nodes(), gpusPerNode(), mixedPrecision, sequenceParallel, spSpaceValue().usesCollectiveTables(),
                TimeProfileMode.parse(timeProfileMode), MemoryProfileMode.parse(memoryProfileMode), timeProfilingPath,
                memoryProfilingPath, allreducePath, p2pPath, overlapPath, spTimePath);
    }
}
