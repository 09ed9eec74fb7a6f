package studio.runner.train;

import picocli.CommandLine.Option;
import studio.engine.launch.TrainingLaunch;

import java.nio.file.Path;

/** What a training run needs on one node (Galvatron's training arguments, profiler-runtime spec §3.2). */
public final class TrainOptions {
    /** Whether the node runs Galvatron 3.0's runtime (Hydra YAML launch). */
    public boolean v3() { return "galvatron-v3".equals(runtime); }

    /** The GLOBAL-mode flags as given. */
    public studio.engine.launch.GlobalModeArgs globalArgs() {
        return new studio.engine.launch.GlobalModeArgs(ppDeg, globalTpDeg, globalTpConsec, sdp, chunks, globalCheckpoint, vocabTp, embedSdp,
                pipelineType, defaultDpType);
    }

    /** Whether the plan is given as Galvatron's global flags (GLOBAL mode) instead of a JSON config. */
    public boolean globalMode() { return globalArgs().any(); }

    @Option(names = "--engine", defaultValue = "galvatron", description = "galvatron (torchrun + train_dist.py) or djl (built-in smoke trainer).")
    public String engine;
    @Option(names = "--model-dir", paramLabel = "DIR", description = "Galvatron's model folder on the node, e.g. .../galvatron/models/llama_hf "
            + "(3.0: .../galvatron/models/gpt, or models/moe for an MoE model).")
    public Path modelDir;
    @Option(names = "--runtime", defaultValue = "galvatron-v2",
            description = "galvatron-v2 (train_dist.py with its options) or galvatron-v3 (train_dist.py scripts/train_dist.yaml with Hydra overrides).")
    public String runtime;
    @Option(names = "--config", paramLabel = "FILE", description = "galvatron_config_*.json (JSON mode).")
    public Path config;
    @Option(names = "--model-size", defaultValue = "llama-7b") public String modelSize;
    @Option(names = "--num-layers", paramLabel = "N", description = "--set_layernum_manually 1 --num_hidden_layers N") public Integer numLayers;
    @Option(names = "--seq-length", paramLabel = "S", description = "--set_seqlen_manually 1 --seq_length S") public Integer seqLength;
    @Option(names = "--nnodes", defaultValue = "1") public int nnodes;
    @Option(names = "--nproc-per-node", defaultValue = "8") public int nprocPerNode;
    @Option(names = "--node-rank", defaultValue = "0") public int nodeRank;
    @Option(names = "--master-addr", defaultValue = "127.0.0.1") public String masterAddr;
    @Option(names = "--master-port", defaultValue = "29500") public int masterPort;
    @Option(names = "--mixed-precision", defaultValue = "bf16") public String mixedPrecision;
    @Option(names = "--flash-attn", description = "--use-flash-attn") public boolean flashAttn;
    @Option(names = "--sequence-parallel", description = "Megatron sequence parallelism") public boolean sequenceParallel;
    @Option(names = "--no-async-grad-reduce") public boolean noAsyncGradReduce;
    @Option(names = "--train-iters", defaultValue = "100") public int trainIters;
    @Option(names = "--lr", defaultValue = "1.25e-6") public double lr;
    @Option(names = "--min-lr", defaultValue = TrainingLaunch.DEFAULT_MIN_LR) public double minLr;
    @Option(names = "--global-batch", paramLabel = "B", description = "Only without --config (GLOBAL mode and the djl engine).")
    public Integer globalBatch;
    @Option(names = "--data-path", paramLabel = "PREFIX", description = "Megatron dataset prefix (.bin/.idx); absent: random tokens.")
    public String dataPath;
    @Option(names = "--tokenizer-type", defaultValue = TrainingLaunch.DEFAULT_TOKENIZER_TYPE) public String tokenizerType;
    @Option(names = "--tokenizer-model", paramLabel = "FILE") public Path tokenizerModel;
    @Option(names = "--load", paramLabel = "DIR", description = "Galvatron checkpoint to start from (with --initialize_on_meta 1).")
    public Path load;
    @Option(names = "--hf-checkpoint", paramLabel = "DIR", description = "Hugging Face checkpoint: converted on the node before training.")
    public Path hfCheckpoint;
    @Option(names = "--save", paramLabel = "DIR") public Path save;
    @Option(names = "--save-interval", defaultValue = "100") public int saveInterval;
    @Option(names = "--export-hf", paramLabel = "DIR", description = "Convert the saved checkpoint back to Hugging Face after training.")
    public Path exportHf;
    @Option(names = "--resume-iteration", paramLabel = "N", description = "--distributed_checkpoint --load_iteration N")
    public Integer resumeIteration;
    @Option(names = "--model-type", paramLabel = "TYPE", description = "Checkpoint conversion's --model_type (llama, gpt, bert-mlm, mixtral); "
            + "default: from the model folder's name (llama_hf, gpt_hf, bert_hf, moe).")
    public String modelType;
    @Option(names = "--pp-deg", paramLabel = "P", description = "GLOBAL mode (no --config): pipeline stages.") public Integer ppDeg;
    @Option(names = "--global-tp-deg", paramLabel = "T", description = "GLOBAL mode: every layer's TP degree.") public Integer globalTpDeg;
    @Option(names = "--global-tp-consec", paramLabel = "0|1", description = "GLOBAL mode: consecutive TP groups (Galvatron uses 1 whatever is given).")
    public Integer globalTpConsec;
    @Option(names = "--sdp", paramLabel = "0|1", description = "GLOBAL mode: ZeRO-3 for every layer.") public Integer sdp;
    @Option(names = "--chunks", paramLabel = "C", description = "GLOBAL mode: micro-batches per step (-1: Galvatron's auto).") public Integer chunks;
    @Option(names = "--global-checkpoint", paramLabel = "0|1", description = "GLOBAL mode: activation checkpointing on every layer.")
    public Integer globalCheckpoint;
    @Option(names = "--vocab-tp", paramLabel = "V", description = "GLOBAL mode: the embedding's and LM head's TP degree.") public Integer vocabTp;
    @Option(names = "--embed-sdp", paramLabel = "0|1", description = "GLOBAL mode: ZeRO-3 for the embedding, norm and LM head.") public Integer embedSdp;
    @Option(names = "--pipeline-type", paramLabel = "TYPE", description = "GLOBAL mode: gpipe or pipedream_flush.") public String pipelineType;
    @Option(names = "--default-dp-type", paramLabel = "TYPE", description = "GLOBAL mode: ddp, zero2 or zero3.") public String defaultDpType;
    @Option(names = "--python", defaultValue = "python3") public String python;
    @Option(names = "--torchrun", defaultValue = TrainingLaunch.DEFAULT_TORCHRUN) public String torchrun;
    @Option(names = "--nccl-socket-ifname", paramLabel = "IF") public String ncclSocketIfname;
    @Option(names = "--djl-layers", defaultValue = "2", description = "djl engine: decoder layers") public int djlLayers;
    @Option(names = "--djl-hidden", defaultValue = "64", description = "djl engine: hidden size") public int djlHidden;
    @Option(names = "--djl-device", defaultValue = "auto", description = "djl engine: auto, cpu or gpu") public String djlDevice;
}
