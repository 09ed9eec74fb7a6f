package studio.engine.launch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact commands and environment that start Galvatron's runtime on a node (profiler-runtime spec §3.1, §6), one
 * copy for every way a plan is launched: the runner on an SSH node or in a Slurm step, a Kubernetes pod.
 */
public final class GalvatronCommand {
    private GalvatronCommand() {
    }

    /** Galvatron's launcher variables (its scripts export them for torchrun). */
    public static Map<String, String> launcherEnvironment(Rendezvous r) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NUM_NODES", String.valueOf(r.nodes()));
        env.put("NUM_GPUS_PER_NODE", String.valueOf(r.gpusPerNode()));
        env.put("MASTER_ADDR", r.masterAddr());
        env.put("MASTER_PORT", String.valueOf(r.masterPort()));
        env.put("NODE_RANK", String.valueOf(r.nodeRank()));
        return env;
    }

    /** What the runtime needs of CUDA and NCCL wherever it runs (Galvatron's scripts set the first two). */
    public static Map<String, String> runtimeEnvironment(String ncclSocketIfname) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True");
        // Megatron's TP communication overlap needs kernels queued in order
        env.put("CUDA_DEVICE_MAX_CONNECTIONS", "1");
        env.put("NCCL_DEBUG", "WARN");
        if (ncclSocketIfname != null) env.put("NCCL_SOCKET_IFNAME", ncclSocketIfname);
        return env;
    }

    /**
     * What a batch launch (a Slurm step, a pod) sets unless the site does: NCCL errors end the run instead of hanging it,
     * and one OpenMP thread a rank (torchrun's own choice for several ranks a node).
     */
    public static Map<String, String> batchDefaults() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1");
        env.put("OMP_NUM_THREADS", "1");
        return env;
    }

    /** Galvatron's tools folder beside its model folders ({@code galvatron/models/<model>} → {@code galvatron/tools}). */
    static String toolsDir(String modelDir) {
        String d = modelDir;
        while (d.length() > 1 && d.endsWith("/")) d = d.substring(0, d.length() - 1);
        for (int up = 0; up < 2; up++) {
            int slash = d.lastIndexOf('/');
            d = slash > 0 ? d.substring(0, slash) : slash == 0 ? "/" : "..";
        }
        return (d.endsWith("/") ? d : d + "/") + "tools";
    }

    /** Galvatron's Hugging Face to Galvatron conversion, run before training when a HF checkpoint is given. */
    public static List<String> convertIn(String python, String modelDir, String modelType, String hfCheckpoint, String outputDir) {
        return List.of(python, toolsDir(modelDir) + "/checkpoint_convert_h2g.py", "--model_type", modelType, "--input_checkpoint", hfCheckpoint,
                "--output_dir", outputDir);
    }

    /** Galvatron to Hugging Face after training: the last save of {@code launch}. */
    public static List<String> convertOut(String python, String modelDir, String modelType, TrainingLaunch launch, String exportHf) {
        return List.of(python, toolsDir(modelDir) + "/checkpoint_convert_g2h.py", "--model_type", modelType, "--input_checkpoint", launch.save(),
                "--output_dir", exportHf, "--model_config", launch.modelSize(), "--load_iteration", String.valueOf(launch.trainIterations()));
    }

    /** torchrun with its rendezvous ({@code r} null: left to torchrun's {@code PET_*} environment). */
    private static List<String> torchrun(TrainingLaunch l, Rendezvous r) {
        List<String> c = new ArrayList<>(List.of(l.torchrun()));
        if (r != null) {
            c.addAll(List.of("--nnodes", String.valueOf(r.nodes()), "--nproc_per_node", String.valueOf(r.gpusPerNode()), "--node_rank",
                    String.valueOf(r.nodeRank()), "--master_addr", r.masterAddr(), "--master_port", String.valueOf(r.masterPort())));
        }
        return c;
    }

    private static void flag(List<String> c, String name, Object value) {
        if (value != null) c.addAll(List.of(name, String.valueOf(value)));
    }

    /** The training command from the model folder: v2's {@code train_dist.py} options or 3.0's Hydra launch. */
    public static List<String> train(TrainingLaunch l, Rendezvous r) {
        return l.galvatron3() ? train3(l, r) : train2(l, r);
    }

    private static List<String> train2(TrainingLaunch l, Rendezvous r) {
        List<String> c = torchrun(l, r);
        c.addAll(List.of(l.v2Script(), "--model_size", l.modelSize()));
        if (l.layerCount() != null) c.addAll(List.of("--set_layernum_manually", "1", "--num_hidden_layers", String.valueOf(l.layerCount())));
        if (l.seqLength() != null) c.addAll(List.of("--set_seqlen_manually", "1", "--seq_length", String.valueOf(l.seqLength())));
        if (l.configPath() != null) {
            c.addAll(List.of("--galvatron_config_path", l.configPath()));
        } else {
            flag(c, "--global_train_batch_size", l.globalBatch());
            // GLOBAL mode: one strategy for every layer, as Galvatron's scripts pass it
            GlobalModeArgs g = l.global();
            flag(c, "--pp_deg", g.ppDeg());
            flag(c, "--global_tp_deg", g.globalTpDeg());
            flag(c, "--global_tp_consec", g.globalTpConsec());
            flag(c, "--sdp", g.sdp());
            flag(c, "--chunks", g.chunks());
            flag(c, "--global_checkpoint", g.globalCheckpoint());
            flag(c, "--vocab_tp", g.vocabTp());
            flag(c, "--embed_sdp", g.embedSdp());
            flag(c, "--pipeline_type", g.pipelineType());
            flag(c, "--default_dp_type", g.defaultDpType());
        }
        c.addAll(List.of("--mixed_precision", l.mixedPrecision()));
        if (l.flashAttention()) c.add("--use-flash-attn");
        if (l.sequenceParallel()) c.add("--sequence-parallel");
        if (!l.asyncGradReduce()) c.add("--no_async_grad_reduce");
        c.addAll(List.of("--initialize_on_meta", "1"));
        if (l.dataPath() == null) {
            c.addAll(List.of("--epochs", "1", "--lr", String.valueOf(l.learningRate())));
        } else {
            c.addAll(List.of("--train-iters", String.valueOf(l.trainIterations()), "--eval-iters", "1", "--lr", String.valueOf(l.learningRate()),
                    "--min-lr", String.valueOf(l.minLearningRate()), "--lr-decay-style", "cosine", "--lr-warmup-fraction", "0.1", "--weight-decay",
                    "0.1", "--adam-beta1", "0.9", "--adam-beta2", "0.95", "--adam-eps", "1e-5", "--clip-grad", "1.0", "--data-path", l.dataPath(),
                    "--split", "949,50,1", "--tokenizer-type", l.tokenizerType()));
            if (l.tokenizerModel() != null) c.addAll(List.of("--tokenizer-model", l.tokenizerModel()));
        }
        c.addAll(List.of("--profile", "1", "--exit_after_profiling", "0"));
        if (l.load() != null) c.addAll(List.of("--load", l.load()));
        if (l.resumeIteration() != null) c.addAll(List.of("--distributed_checkpoint", "--load_iteration", String.valueOf(l.resumeIteration())));
        if (l.save() != null) c.addAll(List.of("--save", l.save(), "--save-interval", String.valueOf(l.saveInterval())));
        return c;
    }

    /**
     * Galvatron 3.0's launch ({@code models/gpt/scripts/train_yaml.sh}, {@code models/moe/...}): {@code train_dist.py} with its
     * {@code scripts/train_dist.yaml} and Hydra overrides for the plan, the model, the training and the data (random tokens
     * without a dataset, {@code runtime.data.use_random_dataset}); an MoE model folder's YAML sets {@code is_moe_model}.
     */
    private static List<String> train3(TrainingLaunch l, Rendezvous r) {
        List<String> c = torchrun(l, r);
        c.addAll(List.of("train_dist.py", "scripts/train_dist.yaml", "runtime.model.model_size=" + l.modelSize()));
        if (l.modelConfigPath() != null) c.add("runtime.model.model_config_path=" + l.modelConfigPath());
        if (l.layerCount() != null) c.addAll(List.of("runtime.model.set_layernum_manually=1", "runtime.model.num_layers=" + l.layerCount()));
        if (l.seqLength() != null) c.addAll(List.of("runtime.model.set_seqlen_manually=1", "runtime.train.seq_length=" + l.seqLength()));
        if (l.configPath() != null) c.add("runtime.parallel.galvatron_config_path=" + l.configPath());
        else if (l.globalBatch() != null) c.add("runtime.train.global_batch_size=" + l.globalBatch());
        c.addAll(List.of("runtime.parallel.mixed_precision=" + l.mixedPrecision(), "runtime.train.use_flash_attn=" + l.flashAttention(),
                "runtime.train.sequence_parallel=" + l.sequenceParallel(), "runtime.parallel.async_grad_reduce=" + l.asyncGradReduce(),
                "runtime.train.train_iters=" + l.trainIterations(), "runtime.train.lr=" + l.learningRate(), "runtime.train.min_lr=" + l.minLearningRate()));
        if (l.dataPath() == null) {
            c.add("runtime.data.use_random_dataset=true");
        } else {
            c.addAll(List.of("runtime.data.data_path=[" + l.dataPath() + "]", "runtime.data.tokenizer_type=" + l.tokenizerType()));
            if (l.tokenizerModel() != null) c.add("runtime.data.tokenizer_model=" + l.tokenizerModel());
        }
        c.addAll(List.of("runtime.profile.profile=1", "runtime.profile.exit_after_profiling=0"));
        if (l.load() != null) c.add("runtime.ckpt.load=" + l.load());
        if (l.resumeIteration() != null) c.addAll(List.of("runtime.ckpt.distributed_checkpoint=true", "runtime.ckpt.load_iteration=" + l.resumeIteration()));
        if (l.save() != null) c.addAll(List.of("runtime.ckpt.save=" + l.save(), "runtime.ckpt.save_interval=" + l.saveInterval()));
        return c;
    }
}
