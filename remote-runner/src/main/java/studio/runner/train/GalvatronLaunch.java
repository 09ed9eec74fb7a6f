package studio.runner.train;

import studio.engine.model.ModelFamily;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The exact command and environment that start Galvatron's runtime on one node (profiler-runtime spec §3.1, §6). */
public final class GalvatronLaunch {
    private GalvatronLaunch() {
    }

    public static Map<String, String> environment(TrainOptions o) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NUM_NODES", String.valueOf(o.nnodes));
        env.put("NUM_GPUS_PER_NODE", String.valueOf(o.nprocPerNode));
        env.put("MASTER_ADDR", o.masterAddr);
        env.put("MASTER_PORT", String.valueOf(o.masterPort));
        env.put("NODE_RANK", String.valueOf(o.nodeRank));
        env.put("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True");
        env.put("CUDA_DEVICE_MAX_CONNECTIONS", "1");
        env.put("NCCL_DEBUG", "WARN");
        if (o.ncclSocketIfname != null) env.put("NCCL_SOCKET_IFNAME", o.ncclSocketIfname);
        return env;
    }

    /** Galvatron's Hugging Face to Galvatron conversion, run before training when a HF checkpoint is given. */
    public static List<String> convertIn(TrainOptions o, Path converted) {
        return List.of(o.python, o.modelDir.resolve("../../tools/checkpoint_convert_h2g.py").normalize().toString(), "--model_type",
                modelType(o), "--input_checkpoint", o.hfCheckpoint.toString(), "--output_dir", converted.toString());
    }

    /** Galvatron to Hugging Face, after training. */
    public static List<String> convertOut(TrainOptions o) {
        return List.of(o.python, o.modelDir.resolve("../../tools/checkpoint_convert_g2h.py").normalize().toString(), "--model_type",
                modelType(o), "--input_checkpoint", o.save.toString(), "--output_dir", o.exportHf.toString(), "--model_config", o.modelSize,
                "--load_iteration", String.valueOf(o.trainIters));
    }

    /** The converters' model types (spec profiler-runtime §6), h2g's; g2h converts llama only. */
    public static final List<String> CONVERTIBLE = List.of("llama", "gpt", "bert-mlm", "mixtral");

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

    private static void flag(List<String> c, String name, Integer value) {
        if (value != null) c.addAll(List.of(name, String.valueOf(value)));
    }

    public static List<String> command(TrainOptions o, Path load) {
        if (o.v3()) return command3(o, load);
        List<String> c = new ArrayList<>(List.of(o.torchrun, "--nnodes", String.valueOf(o.nnodes), "--nproc_per_node",
                String.valueOf(o.nprocPerNode), "--node_rank", String.valueOf(o.nodeRank), "--master_addr", o.masterAddr, "--master_port",
                String.valueOf(o.masterPort), o.dataPath == null ? "train_dist_random.py" : "train_dist.py", "--model_size", o.modelSize));
        if (o.numLayers != null) c.addAll(List.of("--set_layernum_manually", "1", "--num_hidden_layers", String.valueOf(o.numLayers)));
        if (o.seqLength != null) c.addAll(List.of("--set_seqlen_manually", "1", "--seq_length", String.valueOf(o.seqLength)));
        if (o.config != null) {
            c.addAll(List.of("--galvatron_config_path", o.config.toAbsolutePath().toString()));
        } else {
            if (o.globalBatch != null) c.addAll(List.of("--global_train_batch_size", String.valueOf(o.globalBatch)));
            // GLOBAL mode: one strategy for every layer, as Galvatron's scripts pass it
            flag(c, "--pp_deg", o.ppDeg);
            flag(c, "--global_tp_deg", o.globalTpDeg);
            flag(c, "--global_tp_consec", o.globalTpConsec);
            flag(c, "--sdp", o.sdp);
            flag(c, "--chunks", o.chunks);
            flag(c, "--global_checkpoint", o.globalCheckpoint);
            flag(c, "--vocab_tp", o.vocabTp);
            flag(c, "--embed_sdp", o.embedSdp);
            if (o.pipelineType != null) c.addAll(List.of("--pipeline_type", o.pipelineType));
            if (o.defaultDpType != null) c.addAll(List.of("--default_dp_type", o.defaultDpType));
        }
        c.addAll(List.of("--mixed_precision", o.mixedPrecision));
        if (o.flashAttn) c.add("--use-flash-attn");
        if (o.sequenceParallel) c.add("--sequence-parallel");
        if (o.noAsyncGradReduce) c.add("--no_async_grad_reduce");
        c.addAll(List.of("--initialize_on_meta", "1"));
        if (o.dataPath == null) {
            c.addAll(List.of("--epochs", "1", "--lr", String.valueOf(o.lr)));
        } else {
            c.addAll(List.of("--train-iters", String.valueOf(o.trainIters), "--eval-iters", "1", "--lr", String.valueOf(o.lr), "--min-lr",
                    String.valueOf(o.minLr), "--lr-decay-style", "cosine", "--lr-warmup-fraction", "0.1", "--weight-decay", "0.1",
                    "--adam-beta1", "0.9", "--adam-beta2", "0.95", "--adam-eps", "1e-5", "--clip-grad", "1.0", "--data-path", o.dataPath,
                    "--split", "949,50,1", "--tokenizer-type", o.tokenizerType));
            if (o.tokenizerModel != null) c.addAll(List.of("--tokenizer-model", o.tokenizerModel.toString()));
        }
        c.addAll(List.of("--profile", "1", "--exit_after_profiling", "0"));
        if (load != null) c.addAll(List.of("--load", load.toString()));
        if (o.resumeIteration != null) c.addAll(List.of("--distributed_checkpoint", "--load_iteration", String.valueOf(o.resumeIteration)));
        if (o.save != null) c.addAll(List.of("--save", o.save.toString(), "--save-interval", String.valueOf(o.saveInterval)));
        return c;
    }

    /**
     * Galvatron 3.0's launch ({@code models/gpt/scripts/train_yaml.sh}, {@code models/moe/...}): {@code train_dist.py} with its
     * {@code scripts/train_dist.yaml} and Hydra overrides for the plan, the model, the training and the data (random tokens
     * without a dataset, {@code runtime.data.use_random_dataset}); an MoE model folder's YAML sets {@code is_moe_model}.
     */
    static List<String> command3(TrainOptions o, Path load) {
        List<String> c = new ArrayList<>(List.of(o.torchrun, "--nnodes", String.valueOf(o.nnodes), "--nproc_per_node", String.valueOf(o.nprocPerNode),
                "--node_rank", String.valueOf(o.nodeRank), "--master_addr", o.masterAddr, "--master_port", String.valueOf(o.masterPort),
                "train_dist.py", "scripts/train_dist.yaml", "runtime.model.model_size=" + o.modelSize));
        Path modelYaml = modelYaml(o);
        if (modelYaml != null) c.add("runtime.model.model_config_path=" + modelYaml.toAbsolutePath());
        if (o.numLayers != null) c.addAll(List.of("runtime.model.set_layernum_manually=1", "runtime.model.num_layers=" + o.numLayers));
        if (o.seqLength != null) c.addAll(List.of("runtime.model.set_seqlen_manually=1", "runtime.train.seq_length=" + o.seqLength));
        if (o.config != null) c.add("runtime.parallel.galvatron_config_path=" + o.config.toAbsolutePath());
        else if (o.globalBatch != null) c.add("runtime.train.global_batch_size=" + o.globalBatch);
        c.addAll(List.of("runtime.parallel.mixed_precision=" + o.mixedPrecision, "runtime.train.use_flash_attn=" + o.flashAttn,
                "runtime.train.sequence_parallel=" + o.sequenceParallel, "runtime.parallel.async_grad_reduce=" + !o.noAsyncGradReduce,
                "runtime.train.train_iters=" + o.trainIters, "runtime.train.lr=" + o.lr, "runtime.train.min_lr=" + o.minLr));
        if (o.dataPath == null) {
            c.add("runtime.data.use_random_dataset=true");
        } else {
            c.addAll(List.of("runtime.data.data_path=[" + o.dataPath + "]", "runtime.data.tokenizer_type=" + o.tokenizerType));
            if (o.tokenizerModel != null) c.add("runtime.data.tokenizer_model=" + o.tokenizerModel.toAbsolutePath());
        }
        c.addAll(List.of("runtime.profile.profile=1", "runtime.profile.exit_after_profiling=0"));
        if (load != null) c.add("runtime.ckpt.load=" + load);
        if (o.resumeIteration != null) c.addAll(List.of("runtime.ckpt.distributed_checkpoint=true", "runtime.ckpt.load_iteration=" + o.resumeIteration));
        if (o.save != null) c.addAll(List.of("runtime.ckpt.save=" + o.save, "runtime.ckpt.save_interval=" + o.saveInterval));
        return c;
    }

    /** The model's 3.0 YAML beside the model folders ({@code models/model_configs/<model-size>.yaml}), or null. */
    static Path modelYaml(TrainOptions o) {
        if (o.modelDir == null) return null;
        Path p = o.modelDir.resolve("../model_configs/" + o.modelSize + ".yaml").normalize();
        return java.nio.file.Files.isRegularFile(p) ? p : null;
    }

    /** POSIX shell quoting for the command file. */
    public static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=,+@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static String shell(List<String> cmd) {
        return String.join(" ", cmd.stream().map(GalvatronLaunch::quote).toList());
    }
}
