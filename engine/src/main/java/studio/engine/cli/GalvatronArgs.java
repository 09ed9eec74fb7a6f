package studio.engine.cli;

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
    // the option values, as the command line gave them (or their defaults); addTo binds each to its option
    String modelSize;
    String modelFamily;
    int setModelConfigManually;
    int setLayernumManually;
    int setSeqlenManually;
    Integer hiddenSize;
    Integer numHiddenLayers;
    Integer numAttentionHeads;
    Integer seqLength;
    Integer vocabSize;
    Integer numNodes;
    Integer numGpusPerNode;
    Integer memoryConstraint;
    String mixedPrecision;
    String pipelineType;
    String defaultDpType;
    boolean sequenceParallel;
    String spSpace;
    boolean noAsyncGradReduce;
    boolean noGlobalMemoryBuffer;
    double costmodelCoe;
    int disableVtp;
    String timeProfileMode;
    String memoryProfileMode;
    String timeProfilingPath;
    String memoryProfilingPath;
    String allreducePath;
    String p2pPath;
    String overlapPath;
    String spTimePath;
    String gpu;
    Path sampleConfigs;

    /** What was estimated rather than measured (empty when everything is measured). */
    String estimated = "";

    /** Galvatron's options, bound to these fields, on the command {@code o} builds (search and evaluate take them all). */
    void addTo(CommandOptions o) {
        o.option("--model_size", "--model").label("NAME|PATH")
                .describe("Model preset (llama-7b, gpt-1.5b, t5-3B, ...) or a meta config / Hugging Face config.json. Default: llama-7b.")
                .field(this, "modelSize");
        o.option("--model_family").label("FAMILY")
                .describe("Family for a manual model: llama_hf, gpt_hf, bert_hf, vit_hf.").field(this, "modelFamily");
        o.option("--set_model_config_manually").label("0|1")
                .describe("1: build the model from --hidden_size etc.").field(this, "setModelConfigManually");
        o.option("--set_layernum_manually").label("0|1")
                .describe("1: use --num_hidden_layers.").field(this, "setLayernumManually");
        o.option("--set_seqlen_manually").label("0|1")
                .describe("1: use --seq_length.").field(this, "setSeqlenManually");
        o.option("--hidden_size").label("H").field(this, "hiddenSize");
        o.option("--num_hidden_layers").label("L").field(this, "numHiddenLayers");
        o.option("--num_attention_heads").label("A").field(this, "numAttentionHeads");
        o.option("--seq_length").label("S").field(this, "seqLength");
        o.option("--vocab_size").label("V").field(this, "vocabSize");
        o.option("--num_nodes").label("N")
                .describe("Nodes (default 1, or from the config file name).").field(this, "numNodes");
        o.option("--num_gpus_per_node").label("G")
                .describe("GPUs per node (default 8, or from the config file name).").field(this, "numGpusPerNode");
        o.option("--memory_constraint").label("GB")
                .describe("Per-GPU memory budget in GB (default 24, or from the config file name).")
                .field(this, "memoryConstraint");
        o.option("--mixed_precision").label("fp32|fp16|bf16").defaultValue("bf16").field(this, "mixedPrecision");
        o.option("--pipeline_type").label("gpipe|pipedream_flush").defaultValue("gpipe").field(this, "pipelineType");
        o.option("--default_dp_type").label("ddp|zero2").defaultValue("ddp").field(this, "defaultDpType");
        o.option("--sequence_parallel")
                .describe("Megatron sequence parallelism.").field(this, "sequenceParallel");
        o.option("--sp_space").label("tp|sp|tp+sp").defaultValue("tp").field(this, "spSpace");
        o.option("--no_async_grad_reduce")
                .describe("Reduce gradients every micro-batch.").field(this, "noAsyncGradReduce");
        o.option("--no_global_memory_buffer")
                .describe("No Megatron-SP global all-gather buffer.").field(this, "noGlobalMemoryBuffer");
        o.option("--costmodel_coe").label("X").defaultValue("1.0").field(this, "costmodelCoe");
        o.option("--disable_vtp").label("0|1").defaultValue("0").field(this, "disableVtp");
        o.option("--time_profile_mode").label("static|batch|sequence").defaultValue("static").field(this, "timeProfileMode");
        o.option("--memory_profile_mode").label("static|sequence").defaultValue("static").field(this, "memoryProfileMode");
        o.option("--time_profiling_path").label("DIR|FILE").field(this, "timeProfilingPath");
        o.option("--memory_profiling_path").label("DIR|FILE").field(this, "memoryProfilingPath");
        o.option("--allreduce_bandwidth_config_path").label("DIR|FILE").field(this, "allreducePath");
        o.option("--p2p_bandwidth_config_path").label("DIR|FILE").field(this, "p2pPath");
        o.option("--overlap_coe_path").label("DIR|FILE").field(this, "overlapPath");
        o.option("--sp_time_path").label("DIR|FILE").field(this, "spTimePath");
        o.option("--gpu").label("GPU")
                .describe("Estimate what no path names from the model's shape and this GPU: A100-80GB-SXM, A100-40GB-SXM, "
                        + "H100-80GB-SXM, H200-SXM, L40S-PCIe, RTX4090-PCIe.")
                .field(this, "gpu");
        o.option("--sample_configs").label("DIR")
                .describe("Folder of shipped profiles and presets (default: the installation's sample-configs).")
                .field(this, "sampleConfigs");
    }

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
