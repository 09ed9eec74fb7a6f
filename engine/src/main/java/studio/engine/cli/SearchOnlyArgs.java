package studio.engine.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options of Galvatron's search_dist.sh that only the search reads. {@code gstudio search} uses them;
 * {@code gstudio evaluate} accepts them too (a user's script carries over) and says they were not used.
 */
public class SearchOnlyArgs {
    @Option(names = "--search_space", defaultValue = "full", paramLabel = "SPACE") String searchSpace;
    @Option(names = "--disable_dp", defaultValue = "0", paramLabel = "0|1") int disableDp;
    @Option(names = "--disable_tp", defaultValue = "0", paramLabel = "0|1") int disableTp;
    @Option(names = "--disable_pp", defaultValue = "0", paramLabel = "0|1") int disablePp;
    @Option(names = "--disable_sdp", defaultValue = "0", paramLabel = "0|1") int disableSdp;
    @Option(names = "--disable_ckpt", defaultValue = "0", paramLabel = "0|1") int disableCkpt;
    @Option(names = "--disable_tp_consec", defaultValue = "0", paramLabel = "0|1") int disableTpConsec;
    @Option(names = "--max_tp_deg", defaultValue = "8", paramLabel = "N") int maxTpDeg;
    @Option(names = "--max_pp_deg", defaultValue = "8", paramLabel = "N") int maxPpDeg;
    @Option(names = "--min_bsz", defaultValue = "8", paramLabel = "B") int minBsz;
    @Option(names = "--max_bsz", defaultValue = "10240", paramLabel = "B") int maxBsz;
    @Option(names = "--bsz_scale", defaultValue = "8", paramLabel = "B") int bszScale;
    @Option(names = "--settle_bsz", defaultValue = "-1", paramLabel = "B") int settleBsz;
    @Option(names = "--settle_chunk", defaultValue = "-1", paramLabel = "C") int settleChunk;
    @Option(names = "--recommend_min_bsz", defaultValue = "0", paramLabel = "0|1") int recommendMinBsz;
    @Option(names = "--fine_grained_mode", defaultValue = "1", paramLabel = "0|1") int fineGrainedMode;
    @Option(names = "--parallel_search", description = "Galvatron's flag: sub-searches run on every core anyway (the result does not depend on it); with it, 2 x CPUs threads as Galvatron uses.") boolean parallelSearch;
    @Option(names = "--worker", paramLabel = "N", description = "Threads for the sub-searches (default: the CPUs; 2 x CPUs with --parallel_search).") Integer worker;
    @Option(names = "--log_dir", defaultValue = "logs", paramLabel = "DIR") Path logDir;
    @Option(names = "--output_config_path", paramLabel = "DIR", description = "Where to write the config (default: current folder).")
    Path outputConfigPath;
    @Option(names = "--use_pipeline_costmodel", defaultValue = "1", paramLabel = "1") int usePipelineCostmodel;
    @Option(names = "--make_vocab_size_divisible_by", defaultValue = "128", paramLabel = "N", description = "Accepted; unused by the search.")
    int makeVocabDivisible;
    @Option(names = "--profile_mode", paramLabel = "MODE", description = "Older Galvatron scripts' name for --time_profile_mode.")
    String profileMode;
    @Option(names = "--embed_sdp", paramLabel = "0|1", description = "Accepted from older scripts; embed_sdp is searched.") Integer embedSdp;

    /** Older scripts' {@code --profile_mode} sets the time mode (and the memory mode, where Galvatron has one). */
    void applyProfileMode(GalvatronArgs args) {
        if (profileMode == null) return;
        args.timeProfileMode = profileMode;
        if (!profileMode.equals("batch")) args.memoryProfileMode = profileMode.equals("sequence") && !args.sequenceParallel ? "static" : profileMode;
    }

    /** The long names of these options, to tell which of a command line's options were for the search only. */
    static java.util.Set<String> names() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (var o : picocli.CommandLine.Model.CommandSpec.forAnnotatedObject(new SearchOnlyArgs()).options()) out.addAll(java.util.List.of(o.names()));
        return out;
    }
}
