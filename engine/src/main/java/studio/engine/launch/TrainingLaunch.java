package studio.engine.launch;

import studio.engine.plan.TargetRuntime;

/**
 * What Galvatron's runtime trains, the same on every node (profiler-runtime spec §3.2): the model, the plan (a JSON
 * config's path, or v2's GLOBAL-mode flags), precision and kernels, the schedule of the optimizer, data, checkpoints.
 * Paths are as the node sees them (a pod's, a Slurm node's), so they are strings, not this machine's paths.
 *
 * @param modelConfigPath 3.0's model YAML ({@code runtime.model.model_config_path}); null: the runtime's own
 * @param configPath      the plan's {@code galvatron_config_*.json}; null: the GLOBAL-mode flags (v2) or the runtime's defaults
 * @param globalBatch     only without a config (a config carries its own)
 * @param dataPath        Megatron dataset prefix; null: random tokens
 * @param load            a Galvatron checkpoint to start from
 * @param resumeIteration resume {@code load} as a distributed checkpoint at this iteration
 */
public record TrainingLaunch(TargetRuntime runtime, String modelSize, String modelConfigPath, Integer layerCount, Integer seqLength, String configPath,
                             Integer globalBatch, GlobalModeArgs global, String mixedPrecision, boolean flashAttention, boolean sequenceParallel,
                             boolean asyncGradReduce, int trainIterations, double learningRate, double minLearningRate, String dataPath,
                             String tokenizerType, String tokenizerModel, String load, Integer resumeIteration, String save, int saveInterval,
                             String torchrun) {
    /** Galvatron's scripts' defaults, which the runner's options and the studio's manifests both start from. */
    public static final String DEFAULT_MIN_LR = "1.25e-7";
    public static final String DEFAULT_TOKENIZER_TYPE = "Llama2Tokenizer";
    public static final String DEFAULT_TORCHRUN = "torchrun";

    public TrainingLaunch {
        if (runtime == null) throw new IllegalArgumentException("launch: no target runtime");
        if (modelSize == null || modelSize.isBlank()) throw new IllegalArgumentException("launch: no model size");
        global = global == null ? GlobalModeArgs.NONE : global;
        if (configPath != null && global.any()) {
            throw new IllegalArgumentException("launch: a JSON config and the GLOBAL-mode flags exclude each other (the config overrides them)");
        }
        torchrun = torchrun == null ? DEFAULT_TORCHRUN : torchrun;
        tokenizerType = tokenizerType == null ? DEFAULT_TOKENIZER_TYPE : tokenizerType;
    }

    public boolean galvatron3() { return runtime == TargetRuntime.GALVATRON_V3; }

    /** The v2 entry point Galvatron's scripts use: random tokens without a dataset. */
    public String v2Script() { return dataPath == null ? "train_dist_random.py" : "train_dist.py"; }
}
