package studio.runner.train;

import studio.engine.launch.GalvatronCommand;
import studio.engine.launch.GlobalModeArgs;
import studio.engine.launch.Rendezvous;
import studio.engine.launch.TrainingLaunch;
import studio.engine.model.ModelFamily;
import studio.engine.plan.TargetRuntime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** This node's launch of Galvatron's runtime: the runner's options as the engine's launch, its command and environment. */
public final class GalvatronLaunch {
    private GalvatronLaunch() {
    }

    public static Map<String, String> environment(TrainOptions o) {
        Map<String, String> env = new LinkedHashMap<>(GalvatronCommand.launcherEnvironment(rendezvous(o)));
        env.putAll(GalvatronCommand.runtimeEnvironment(o.ncclSocketIfname));
        return env;
    }

    static Rendezvous rendezvous(TrainOptions o) {
        return new Rendezvous(o.nnodes, o.nprocPerNode, o.nodeRank, o.masterAddr, o.masterPort);
    }

    /** What this node trains, starting from checkpoint {@code load} (null: none, or the runtime's initialisation). */
    static TrainingLaunch launch(TrainOptions o, Path load) {
        Path modelYaml = o.v3() ? modelYaml(o) : null;
        return new TrainingLaunch(o.v3() ? TargetRuntime.GALVATRON_V3 : TargetRuntime.GALVATRON_V2, o.modelSize, absolute(modelYaml), o.numLayers,
                o.seqLength, absolute(o.config), o.config == null ? o.globalBatch : null, o.config == null && !o.v3() ? o.globalArgs() : GlobalModeArgs.NONE,
                o.mixedPrecision, o.flashAttn, o.sequenceParallel, !o.noAsyncGradReduce, o.trainIters, o.lr, o.minLr, o.dataPath, o.tokenizerType,
                absolute(o.tokenizerModel), load == null ? null : load.toString(), o.resumeIteration, o.save == null ? null : o.save.toString(),
                o.saveInterval, o.torchrun);
    }

    private static String absolute(Path p) {
        return p == null ? null : p.toAbsolutePath().toString();
    }

    public static List<String> command(TrainOptions o, Path load) {
        return GalvatronCommand.train(launch(o, load), rendezvous(o));
    }

    /** Galvatron's Hugging Face to Galvatron conversion, run before training when a HF checkpoint is given. */
    public static List<String> convertIn(TrainOptions o, Path converted) {
        return GalvatronCommand.convertIn(o.python, o.modelDir.toString(), modelType(o), o.hfCheckpoint.toString(), converted.toString());
    }

    /** Galvatron to Hugging Face, after training. */
    public static List<String> convertOut(TrainOptions o) {
        return GalvatronCommand.convertOut(o.python, o.modelDir.toString(), modelType(o), launch(o, null), o.exportHf.toString());
    }

    /** The conversion's {@code --model_type}: given, else from Galvatron's model folder (llama_hf, gpt_hf, bert_hf, moe). */
    public static String modelType(TrainOptions o) {
        if (o.modelType != null) return o.modelType;
        String folder = o.modelDir == null || o.modelDir.getFileName() == null ? "" : o.modelDir.normalize().getFileName().toString();
        if (folder.equals("moe") || folder.equals("mixtral")) return ModelFamily.checkpointModelType(ModelFamily.LLAMA_HF, true);
        ModelFamily family;
        try {
            family = ModelFamily.fromDirectory(folder);
        } catch (IllegalArgumentException unknown) {
            family = ModelFamily.LLAMA_HF; // Galvatron's own default folder
        }
        return ModelFamily.checkpointModelType(family, false);
    }

    /** The model's 3.0 YAML beside the model folders ({@code models/model_configs/<model-size>.yaml}), or null. */
    static Path modelYaml(TrainOptions o) {
        if (o.modelDir == null) return null;
        Path p = o.modelDir.resolve("../model_configs/" + o.modelSize + ".yaml").normalize();
        return Files.isRegularFile(p) ? p : null;
    }

}
