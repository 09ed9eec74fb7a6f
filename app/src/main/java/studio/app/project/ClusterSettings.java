package studio.app.project;

import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;

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
 */
public record ClusterSettings(String model, int nodes, int gpusPerNode, int memoryGb, String mixedPrecision,
                              PipelineType pipelineType, DpType defaultDpType, boolean sequenceParallel, SpSpace spSpace, String gpu,
                              int seqLength) {
    public static final String MEASURED_GPU = "A100-80GB-SXM";

    /** @param seqLength the sequence length trained at; 0 for the model's own (its config's) */
    public ClusterSettings {
        if (seqLength < 0) throw new IllegalArgumentException("sequence length " + seqLength + ": expected a positive length, or 0 for the model's");
    }

    public ClusterSettings(String model, int nodes, int gpusPerNode, int memoryGb, String mixedPrecision, PipelineType pipelineType,
                           DpType defaultDpType, boolean sequenceParallel, SpSpace spSpace, String gpu) {
        this(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, 0);
    }

    public ClusterSettings withSeqLength(int seq) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu,
                seq);
    }

    public static ClusterSettings sample() {
        return new ClusterSettings("llama-7b", 1, 8, 36, "bf16", PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2, true, SpSpace.TP, MEASURED_GPU);
    }

    public ClusterSettings withGpu(String g) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, g, seqLength);
    }

    public int worldSize() { return nodes * gpusPerNode; }

    public CostModelOptions costOptions() {
        return new CostModelOptions(worldSize(), memoryGb, mixedPrecision, true, sequenceParallel, spSpace, pipelineType, defaultDpType,
                false, true, 1.0);
    }

    public ClusterSettings withMemoryGb(int gb) {
        return new ClusterSettings(model, nodes, gpusPerNode, gb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength);
    }

    public ClusterSettings withPipelineType(PipelineType t) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, t, defaultDpType, sequenceParallel, spSpace, gpu, seqLength);
    }

    public ClusterSettings withDefaultDpType(DpType t) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, t, sequenceParallel, spSpace, gpu, seqLength);
    }

    public ClusterSettings withModel(String m) {
        return new ClusterSettings(m, nodes, gpusPerNode, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength);
    }

    public ClusterSettings withCluster(int n, int g) {
        return new ClusterSettings(model, n, g, memoryGb, mixedPrecision, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength);
    }

    public ClusterSettings withMixedPrecision(String p) {
        return new ClusterSettings(model, nodes, gpusPerNode, memoryGb, p, pipelineType, defaultDpType, sequenceParallel, spSpace, gpu, seqLength);
    }
}
