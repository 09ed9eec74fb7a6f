package studio.engine.cli;

import java.nio.file.Path;

/**
 * The options of Galvatron's search_dist.sh that only the search reads. {@code gstudio search} uses them;
 * {@code gstudio evaluate} accepts them too (a user's script carries over) and says they were not used.
 */
public class SearchOnlyArgs {
    // the option values, as the command line gave them (or their defaults); addTo binds each to its option
    String searchSpace;
    int disableDp;
    int disableTp;
    int disablePp;
    int disableSdp;
    int disableCkpt;
    int disableTpConsec;
    int maxTpDeg;
    int maxPpDeg;
    int minBsz;
    int maxBsz;
    int bszScale;
    int settleBsz;
    int settleChunk;
    int recommendMinBsz;
    int fineGrainedMode;
    boolean parallelSearch;
    Integer worker;
    Path logDir;
    Path outputConfigPath;
    int usePipelineCostmodel;
    int makeVocabDivisible;
    String profileMode;
    Integer embedSdp;

    /** These options, bound to these fields, on the command {@code o} builds. */
    void addTo(CommandOptions o) {
        o.option("--search_space").label("SPACE").defaultValue("full").field(this, "searchSpace");
        o.option("--disable_dp").label("0|1").defaultValue("0").field(this, "disableDp");
        o.option("--disable_tp").label("0|1").defaultValue("0").field(this, "disableTp");
        o.option("--disable_pp").label("0|1").defaultValue("0").field(this, "disablePp");
        o.option("--disable_sdp").label("0|1").defaultValue("0").field(this, "disableSdp");
        o.option("--disable_ckpt").label("0|1").defaultValue("0").field(this, "disableCkpt");
        o.option("--disable_tp_consec").label("0|1").defaultValue("0").field(this, "disableTpConsec");
        o.option("--max_tp_deg").label("N").defaultValue("8").field(this, "maxTpDeg");
        o.option("--max_pp_deg").label("N").defaultValue("8").field(this, "maxPpDeg");
        o.option("--min_bsz").label("B").defaultValue("8").field(this, "minBsz");
        o.option("--max_bsz").label("B").defaultValue("10240").field(this, "maxBsz");
        o.option("--bsz_scale").label("B").defaultValue("8").field(this, "bszScale");
        o.option("--settle_bsz").label("B").defaultValue("-1").field(this, "settleBsz");
        o.option("--settle_chunk").label("C").defaultValue("-1").field(this, "settleChunk");
        o.option("--recommend_min_bsz").label("0|1").defaultValue("0").field(this, "recommendMinBsz");
        o.option("--fine_grained_mode").label("0|1").defaultValue("1").field(this, "fineGrainedMode");
        o.option("--parallel_search")
                .describe("Galvatron's flag: sub-searches run on every core anyway (the result does not depend on it); with it, "
                        + "2 x CPUs threads as Galvatron uses.")
                .field(this, "parallelSearch");
        o.option("--worker").label("N")
                .describe("Threads for the sub-searches (default: the CPUs; 2 x CPUs with --parallel_search).")
                .field(this, "worker");
        o.option("--log_dir").label("DIR").defaultValue("logs").field(this, "logDir");
        o.option("--output_config_path").label("DIR")
                .describe("Where to write the config (default: current folder).")
                .field(this, "outputConfigPath");
        o.option("--use_pipeline_costmodel").label("1").defaultValue("1").field(this, "usePipelineCostmodel");
        o.option("--make_vocab_size_divisible_by").label("N").defaultValue("128")
                .describe("Accepted; unused by the search.")
                .field(this, "makeVocabDivisible");
        o.option("--profile_mode").label("MODE")
                .describe("Older Galvatron scripts' name for --time_profile_mode.")
                .field(this, "profileMode");
        o.option("--embed_sdp").label("0|1")
                .describe("Accepted from older scripts; embed_sdp is searched.")
                .field(this, "embedSdp");
    }

    /** Older scripts' {@code --profile_mode} sets the time mode (and the memory mode, where Galvatron has one). */
    void applyProfileMode(GalvatronArgs args) {
        if (profileMode == null) return;
        args.timeProfileMode = profileMode;
        if (!profileMode.equals("batch")) args.memoryProfileMode = profileMode.equals("sequence") && !args.sequenceParallel ? "static" : profileMode;
    }

    /** The long names of these options, to tell which of a command line's options were for the search only. */
    static java.util.Set<String> names() {
        java.util.Set<String> out = new java.util.HashSet<>();
        CommandOptions options = CommandOptions.of(picocli.CommandLine.Model.CommandSpec.create());
        new SearchOnlyArgs().addTo(options);
        for (var o : options.spec().options()) out.addAll(java.util.List.of(o.names()));
        return out;
    }
}
