package studio.app.project;

import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.plan.TargetRuntime;

/**
 * The cluster and training settings a plan is costed under (Galvatron's arguments).
 *
 * @param model            a preset name ({@code llama-7b}) or a path to a meta config / Hugging Face config.json
 * @param nodes            nodes in the cluster
 * @param gpusPerNode      GPUs per node
 * @param memoryGb         per-GPU memory budget
 * @param mixedPrecision   fp32, fp16 or bf16
 * @param sequenceParallel Megatron sequence parallelism
 * @param gpu              the GPU preset (measured profiles are used where they exist for it, estimates elsewhere)
 * @param target           the Galvatron the plan is costed for and exported to; a Galvatron 3.0 search YAML as
 *                         {@code model} (its profiles, model and settings) means 3.0
 */
public record ClusterSettings(String model, int nodes, int gpusPerNode, int memoryGb, String mixedPrecision,
                              PipelineType pipelineType, DpType defaultDpType, boolean sequenceParallel, SpSpace spSpace, String gpu,
                              int seqLength, TargetRuntime target) {
    public static final String MEASURED_GPU = studio.engine.estimate.GpuCatalog.MEASURED;

    /** @param seqLength the sequence length trained at; 0 for the model's own (its config's) */
    public ClusterSettings {
        if (target == null) target = TargetRuntime.GALVATRON_V2;
        if (seqLength < 0) throw new IllegalArgumentException("sequence length " + seqLength + ": expected a positive length, or 0 for the model's");
    }

    public ClusterSettings(String model, int nodes, int gpusPerNode, int memoryGb, String mixedPrecision, PipelineType pipelineType,
                           DpType defaultDpType, boolean sequenceParallel, SpSpace spSpace, String gpu) {
        this(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, 0);
    }

    public ClusterSettings(String model, int nodes, int gpusPerNode, int memoryGb, String mixedPrecision, PipelineType pipelineType,
                           DpType defaultDpType, boolean sequenceParallel, SpSpace spSpace, String gpu, int seqLength) {
        this(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength,
                TargetRuntime.GALVATRON_V2);
    }

    public ClusterSettings withTarget(TargetRuntime t) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu,
                seqLength, t);
    }

    /** The model is a Galvatron 3.0 search YAML (its model, profiles and settings), not a preset or config.json. */
    public boolean modelIsYaml() {
        return studio.engine.inputs.v3.Galvatron3Inputs.isYaml(model);
    }

    public ClusterSettings withSeqLength(int seq) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu,
                seq, target);
    }

    public static ClusterSettings sample() {
        return new ClusterSettings("llama-7b", 1, 8, 36, "bf16", PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2, true, SpSpace.TP, MEASURED_GPU);
    }

    public ClusterSettings withGpu(String g) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, g, seqLength, target);
    }

    public int worldSize() { return nodes * gpusPerNode; }

    public CostModelOptions costOptions() {
        return new CostModelOptions(worldSize(), memoryGb, mixedPrecision, true, sequenceParallel, spSpace, pipelineType, defaultDpType,
                false, true, 1.0);
    }

    public ClusterSettings withMemoryGb(int gb) {
        return new ClusterSettings(model, nodes, gpusPerNode, gb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength, target);
    }

    public ClusterSettings withPipelineType(PipelineType t) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, t, defaultDpType, sequenceParallel, spSpace, gpu, seqLength, target);
    }

    public ClusterSettings withDefaultDpType(DpType t) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, t, sequenceParallel, spSpace, gpu, seqLength, target);
    }

    public ClusterSettings withModel(String m) {
        return new ClusterSettings(m, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength, target);
    }

    public ClusterSettings withCluster(int n, int g) {
        return new ClusterSettings(model, n, g, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength, target);
    }

    public ClusterSettings withMixedPrecision(String p) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, p, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength, target);
    }
}
