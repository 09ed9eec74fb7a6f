package studio.app.remote;

import studio.engine.launch.GlobalModeArgs;
import studio.engine.launch.TrainingLaunch;
import studio.engine.plan.GlobalFlags;
import studio.engine.plan.TargetRuntime;

import java.util.ArrayList;
import java.util.List;

/**
 * What to train, in the runner's {@code train} options (the plan's config is uploaded separately).
 *
 * @param engine     galvatron (torchrun + Galvatron's runtime) or djl (the runner's smoke trainer)
 * @param modelDir   Galvatron's model folder on the nodes (galvatron engine)
 * @param dataPath   Megatron dataset prefix on the nodes; null for random tokens
 */
public record TrainRequest(String engine, String modelDir, String modelSize, Integer numLayers, Integer seqLength, int gpusPerNode,
                           int masterPort, String mixedPrecision, boolean flashAttn, boolean sequenceParallel, int trainIters, double lr,
                           String dataPath, String tokenizerModel, String save, int saveInterval, String hfCheckpoint, String exportHf,
                           Integer globalBatch, String runtime, Extras extras) {
    /**
     * The rest of the runner's training options.
     *
     * @param modelType       the checkpoint converters' model type (from the plan's model family); null: the runner's guess
     * @param load            a Galvatron checkpoint to start from
     * @param resumeIteration resume {@code load} as a distributed checkpoint at this iteration
     * @param global          the plan as Galvatron's GLOBAL-mode flags instead of its JSON config; null: the config
     */
    public record Extras(String modelType, String load, Integer resumeIteration, studio.engine.plan.GlobalFlags global) {
        public static final Extras NONE = new Extras(null, null, null, null);
    }

    public TrainRequest {
        extras = extras == null ? Extras.NONE : extras;
    }

    /** The same run with these options. */
    public TrainRequest with(Extras more) {
        return new TrainRequest(engine, modelDir, modelSize, numLayers, seqLength, gpusPerNode, masterPort, mixedPrecision, flashAttn,
                sequenceParallel, trainIters, lr, dataPath, tokenizerModel, save, saveInterval, hfCheckpoint, exportHf, globalBatch, runtime, more);
    }

    /** The same run with checkpoints and data: HF in, Galvatron saves, HF out, a Megatron dataset and its tokenizer. */
    public TrainRequest withFiles(String hf, String saveDir, int interval, String exportTo, String data, String tokenizer) {
        return new TrainRequest(engine, modelDir, modelSize, numLayers, seqLength, gpusPerNode, masterPort, mixedPrecision, flashAttn,
                sequenceParallel, trainIters, lr, data, tokenizer, saveDir, interval, hf, exportTo, globalBatch, runtime, extras);
    }

    /** A run with the runner's own defaults for the rest. */
    public TrainRequest(String engine, String modelDir, String modelSize, Integer numLayers, Integer seqLength, int gpusPerNode, int masterPort,
                        String mixedPrecision, boolean flashAttn, boolean sequenceParallel, int trainIters, double lr, String dataPath,
                        String tokenizerModel, String save, int saveInterval, String hfCheckpoint, String exportHf, Integer globalBatch,
                        String runtime) {
        this(engine, modelDir, modelSize, numLayers, seqLength, gpusPerNode, masterPort, mixedPrecision, flashAttn, sequenceParallel, trainIters, lr,
                dataPath, tokenizerModel, save, saveInterval, hfCheckpoint, exportHf, globalBatch, runtime, Extras.NONE);
    }

    /** A run on Galvatron v2's runtime. */
    public TrainRequest(String engine, String modelDir, String modelSize, Integer numLayers, Integer seqLength, int gpusPerNode, int masterPort,
                        String mixedPrecision, boolean flashAttn, boolean sequenceParallel, int trainIters, double lr, String dataPath,
                        String tokenizerModel, String save, int saveInterval, String hfCheckpoint, String exportHf, Integer globalBatch) {
        this(engine, modelDir, modelSize, numLayers, seqLength, gpusPerNode, masterPort, mixedPrecision, flashAttn, sequenceParallel, trainIters, lr,
                dataPath, tokenizerModel, save, saveInterval, hfCheckpoint, exportHf, globalBatch, "galvatron-v2");
    }

    /** The same run on Galvatron 3.0's runtime ({@code galvatron-v3}: its Hydra launch) for model {@code size}. */
    public TrainRequest onGalvatron3(String size) {
        return new TrainRequest(engine, modelDir, size, numLayers, seqLength, gpusPerNode, masterPort, mixedPrecision, flashAttn, sequenceParallel,
                trainIters, lr, dataPath, tokenizerModel, save, saveInterval, hfCheckpoint, exportHf, globalBatch, "galvatron-v3", extras);
    }

    public boolean galvatron3() { return "galvatron-v3".equals(runtime); }

    /** The runtime the run starts: what its config is written for. */
    public TargetRuntime target() { return galvatron3() ? TargetRuntime.GALVATRON_V3 : TargetRuntime.GALVATRON_V2; }

    /**
     * The plan's config as this run's runtime reads it (3.0's with the keys its runtime needs: cp, ep, vocab_sdp; or
     * v2's), or null when the plan goes as Galvatron's GLOBAL-mode flags.
     */
    public String planConfig(studio.engine.plan.ParallelPlan plan, int worldSize) {
        return extras.global() != null ? null : studio.engine.plan.v3.Galvatron3Config.forTarget(plan, target(), worldSize);
    }

    /**
     * What the launch buttons train: the runner's smoke trainer ({@code djl}), or the plan on Galvatron's runtime for
     * the plan's cluster settings (3.0's Hydra launch when {@code galvatron3ModelSize} is set: the project targets 3.0).
     *
     * @param settings the plan's cluster settings (null before a plan is open: the sample's)
     */
    public static TrainRequest forPlan(String engine, studio.app.project.ClusterSettings settings, String modelDir, String dataPath,
                                       int iterations, String galvatron3ModelSize) {
        if (engine.equals("djl")) return djlSmoke(iterations, 8, 64);
        var s = settings;
        TrainRequest request = new TrainRequest("galvatron", blankToNull(modelDir), s == null ? "llama-7b" : s.model(), null, null,
                s == null ? 8 : s.gpusPerNode(), 29500, s == null ? "bf16" : s.mixedPrecision(), true, s != null && s.sequenceParallel(),
                iterations, 1.25e-6, blankToNull(dataPath), null, null, 100, null, null, null);
        return galvatron3ModelSize != null ? request.onGalvatron3(galvatron3ModelSize) : request;
    }

    /** A field left empty: the runner's default. */
    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    public static TrainRequest djlSmoke(int iterations, int globalBatch, int seqLength) {
        return new TrainRequest("djl", null, "llama-7b", null, seqLength, 1, 29500, "bf16", false, false, iterations, 0.5, null, null,
                null, 100, null, null, globalBatch);
    }

    /**
     * What a pod trains (the runner's defaults for the rest, as {@link #args} leaves them to it): the plan's config at
     * {@code configPath} unless the plan goes as GLOBAL-mode flags, a converted Hugging Face checkpoint loaded from
     * {@code convertedDir}.
     *
     * @param modelConfigPath 3.0's model YAML on the node (ignored for v2)
     */
    public TrainingLaunch launch(String configPath, String modelConfigPath, String convertedDir) {
        GlobalFlags g = extras.global();
        String config = g == null ? configPath : null;
        Integer batch = g != null ? Integer.valueOf(g.globalBatch()) : config == null ? globalBatch : null;
        return new TrainingLaunch(target(), modelSize, galvatron3() ? modelConfigPath : null,
                numLayers, seqLength, config, batch, g == null ? GlobalModeArgs.NONE : GlobalModeArgs.of(g), mixedPrecision, flashAttn, sequenceParallel,
                true, trainIters, lr, Double.parseDouble(TrainingLaunch.DEFAULT_MIN_LR), dataPath, null, tokenizerModel,
                hfCheckpoint != null ? convertedDir : extras.load(), extras.resumeIteration(), save, saveInterval, null);
    }

    /** The runner's arguments for node {@code rank} of {@code nnodes}, rank 0 being the master. */
    public List<String> args(int rank, int nnodes, String masterAddr, String remoteConfig) {
        List<String> a = new ArrayList<>(List.of("--engine", engine, "--model-size", modelSize, "--nnodes", String.valueOf(nnodes),
                "--nproc-per-node", String.valueOf(gpusPerNode), "--node-rank", String.valueOf(rank), "--master-addr", masterAddr,
                "--master-port", String.valueOf(masterPort), "--mixed-precision", mixedPrecision, "--train-iters", String.valueOf(trainIters),
                "--lr", String.valueOf(lr)));
        if (modelDir != null) a.addAll(List.of("--model-dir", modelDir));
        if (galvatron3()) a.addAll(List.of("--runtime", runtime));
        if (numLayers != null) a.addAll(List.of("--num-layers", String.valueOf(numLayers)));
        if (seqLength != null) a.addAll(List.of("--seq-length", String.valueOf(seqLength)));
        if (flashAttn) a.add("--flash-attn");
        if (sequenceParallel) a.add("--sequence-parallel");
        var g = extras.global();
        if (g != null) {
            // the plan as Galvatron's GLOBAL-mode flags (no JSON config)
            a.addAll(List.of("--global-batch", String.valueOf(g.globalBatch()), "--pp-deg", String.valueOf(g.ppDeg()), "--global-tp-deg",
                    String.valueOf(g.globalTpDeg()), "--global-tp-consec", "1", "--sdp", g.sdp() ? "1" : "0", "--chunks", String.valueOf(g.chunks()),
                    "--global-checkpoint", g.globalCheckpoint() ? "1" : "0", "--vocab-tp", String.valueOf(g.vocabTp()), "--embed-sdp",
                    g.embedSdp() ? "1" : "0", "--pipeline-type", g.pipelineType().configName(), "--default-dp-type", g.defaultDpType().configName()));
        } else {
            if (remoteConfig != null) a.addAll(List.of("--config", remoteConfig));
            if (globalBatch != null && remoteConfig == null) a.addAll(List.of("--global-batch", String.valueOf(globalBatch)));
        }
        if (extras.modelType() != null) a.addAll(List.of("--model-type", extras.modelType()));
        if (extras.load() != null) a.addAll(List.of("--load", extras.load()));
        if (extras.resumeIteration() != null) a.addAll(List.of("--resume-iteration", String.valueOf(extras.resumeIteration())));
        if (dataPath != null) a.addAll(List.of("--data-path", dataPath));
        if (tokenizerModel != null) a.addAll(List.of("--tokenizer-model", tokenizerModel));
        if (save != null) a.addAll(List.of("--save", save, "--save-interval", String.valueOf(saveInterval)));
        if (hfCheckpoint != null) a.addAll(List.of("--hf-checkpoint", hfCheckpoint));
        if (exportHf != null) a.addAll(List.of("--export-hf", exportHf));
        if (engine.equals("djl")) a.addAll(List.of("--djl-device", "auto"));
        return a;
    }
}
