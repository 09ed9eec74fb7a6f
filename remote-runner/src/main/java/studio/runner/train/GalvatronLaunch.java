package studio.runner.train;

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
                "llama", "--input_checkpoint", o.hfCheckpoint.toString(), "--output_dir", converted.toString());
    }

    /** Galvatron to Hugging Face, after training. */
    public static List<String> convertOut(TrainOptions o) {
        return List.of(o.python, o.modelDir.resolve("../../tools/checkpoint_convert_g2h.py").normalize().toString(), "--model_type",
                "llama", "--input_checkpoint", o.save.toString(), "--output_dir", o.exportHf.toString(), "--model_config", o.modelSize,
                "--load_iteration", String.valueOf(o.trainIters));
    }

    public static List<String> command(TrainOptions o, Path load) {
        List<String> c = new ArrayList<>(List.of(o.torchrun, "--nnodes", String.valueOf(o.nnodes), "--nproc_per_node",
                String.valueOf(o.nprocPerNode), "--node_rank", String.valueOf(o.nodeRank), "--master_addr", o.masterAddr, "--master_port",
                String.valueOf(o.masterPort), o.dataPath == null ? "train_dist_random.py" : "train_dist.py", "--model_size", o.modelSize));
        if (o.numLayers != null) c.addAll(List.of("--set_layernum_manually", "1", "--num_hidden_layers", String.valueOf(o.numLayers)));
        if (o.seqLength != null) c.addAll(List.of("--set_seqlen_manually", "1", "--seq_length", String.valueOf(o.seqLength)));
        if (o.config != null) c.addAll(List.of("--galvatron_config_path", o.config.toAbsolutePath().toString()));
        else if (o.globalBatch != null) c.addAll(List.of("--global_train_batch_size", String.valueOf(o.globalBatch)));
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

    /** POSIX shell quoting for the command file. */
    public static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=,+@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static String shell(List<String> cmd) {
        return String.join(" ", cmd.stream().map(GalvatronLaunch::quote).toList());
    }
}
