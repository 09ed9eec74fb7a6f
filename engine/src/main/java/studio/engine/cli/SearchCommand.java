package studio.engine.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Model.CommandSpec;
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.cost.StageMemory;
import studio.engine.io.JsonFiles;
import studio.engine.model.ModelDescription;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.ParallelPlan;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchLog;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;
import studio.engine.search.SearchSpace;
import studio.engine.search.StrategySpace;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gstudio search}: Galvatron's parallelism search, with Galvatron's arguments. */
public final class SearchCommand implements Callable<Integer> {
    final GalvatronArgs args = new GalvatronArgs();
    final SearchOnlyArgs search = new SearchOnlyArgs();
    // this command's own option values; the constructor binds each to its option
    String mode;
    List<String> yamlAndOverrides = new ArrayList<>();
    Path modelFolder;
    boolean runtimeKeys;
    boolean json;
    private final CommandSpec spec;

    private final PrintWriter out;
    private final PrintWriter err;

    public SearchCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        CommandOptions o = CommandOptions.command(this, "search", new StudioCli.Version(),
                "Search the fastest plan under the memory budget, taking Galvatron's search arguments verbatim.",
                "Writes galvatron_config_*.json (with cp_sizes_enc) and a search log. Exit code 0 = plan found,",
                "2 = nothing fits the budget (no config written), 1 = bad input.");
        args.addTo(o);
        o.option("--mode").label("galvatron-v2|galvatron-v3|studio")
                .describe("galvatron-v2: Galvatron v2's choice exactly (the default with shell arguments); galvatron-v3: Galvatron 3.0's "
                        + "(the default with a 3.0 YAML); studio: only runnable plans, pipeline division searched.")
                .field(this, "mode");
        o.positionals("YAML [OVERRIDE...]",
                "A Galvatron 3.0 search YAML (scripts/search_dist.yaml) and Hydra overrides (key=value, +key=value, ++key=value, ~key).",
                this, "yamlAndOverrides");
        o.option("--model-folder").label("DIR")
                .describe("With a 3.0 YAML: the folder Galvatron's search_dist.py runs from (default: the one above the YAML holding "
                        + "scripts/ and configs/).")
                .field(this, "modelFolder");
        o.option("--runtime-keys")
                .describe("With a 3.0 YAML: also write cp_sizes_enc, vcp and vocab_sdp, which the 3.0 runtime reads but its search never writes.")
                .field(this, "runtimeKeys");
        search.addTo(o);
        o.option("--json").describe("Print a JSON summary.").field(this, "json");
        spec = o.standardHelpOptions();
    }

    /** This command as picocli runs it, its options bound to this object's fields. */
    CommandSpec spec() {
        return spec;
    }

    /** Refuses option values that would silently search something else. */
    private void validate() {
        args.validate();
        UsageException.check(search.settleBsz == -1 || search.settleBsz >= 1, "--settle_bsz", search.settleBsz, "-1 (sweep batch sizes) or a positive batch size");
        UsageException.check(search.settleChunk == -1 || search.settleChunk >= 1, "--settle_chunk", search.settleChunk, "-1 (search chunks) or a positive count");
        UsageException.check(search.minBsz >= 1, "--min_bsz", search.minBsz, "a positive batch size");
        UsageException.check(search.maxBsz >= search.minBsz, "--max_bsz", search.maxBsz, "at least --min_bsz (" + search.minBsz + ")");
        UsageException.check(search.bszScale >= 1, "--bsz_scale", search.bszScale, "a positive step");
        UsageException.check(search.maxTpDeg >= 1 && search.maxTpDeg <= 1024, "--max_tp_deg", search.maxTpDeg, "1 to 1024");
        UsageException.check(search.maxPpDeg >= 1 && search.maxPpDeg <= 1024, "--max_pp_deg", search.maxPpDeg, "1 to 1024");
        if (search.worker != null) UsageException.check(search.worker >= 1 && search.worker <= 1024, "--worker", search.worker, "1 to 1024 threads");
        for (var f : Map.of("--disable_dp", search.disableDp, "--disable_tp", search.disableTp, "--disable_pp", search.disablePp, "--disable_sdp", search.disableSdp,
                "--disable_ckpt", search.disableCkpt, "--disable_tp_consec", search.disableTpConsec, "--recommend_min_bsz", search.recommendMinBsz,
                "--fine_grained_mode", search.fineGrainedMode).entrySet()) {
            UsageException.flag(f.getValue(), f.getKey());
        }
        if (search.embedSdp != null) UsageException.flag(search.embedSdp, "--embed_sdp");
        try {
            SearchSpace.parse(search.searchSpace);
            SearchMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        UsageException.folder("--output_config_path", search.outputConfigPath);
        UsageException.folder("--log_dir", search.logDir);
    }

    @Override
    public Integer call() throws IOException {
        if (!yamlAndOverrides.isEmpty()) return searchYaml();
        if (mode == null) mode = "galvatron-v2";
        if (mode.equals("galvatron-v3")) {
            throw new UsageException("--mode galvatron-v3 reads Galvatron 3.0's search YAML: gstudio search scripts/search_dist.yaml [key=value ...]");
        }
        validate();
        if (search.usePipelineCostmodel != 1) {
            throw new IllegalArgumentException("--use_pipeline_costmodel 0 never selects a plan in Galvatron v2 (quirk Q6); use 1");
        }
        search.applyProfileMode(args);
        GalvatronArgs.Resolved in = args.resolve(err);
        ModelDescription model = in.model();
        CostModelOptions co = args.costOptions();
        // sub-searches always run on every core: the result is combined in Galvatron's order and does not depend on it
        int cpus = Runtime.getRuntime().availableProcessors();
        int workers = search.worker != null ? search.worker : search.parallelSearch ? 2 * cpus : cpus;
        SearchOptions so = new SearchOptions(SearchSpace.parse(search.searchSpace), search.disableDp == 1, search.disableTp == 1, search.disablePp == 1,
                search.disableSdp == 1, search.disableCkpt == 1, search.disableTpConsec == 1, search.maxTpDeg, search.maxPpDeg, search.minBsz, search.maxBsz, search.bszScale, search.settleBsz,
                search.settleChunk, search.recommendMinBsz == 1, search.fineGrainedMode == 1, workers, SearchMode.parse(mode), Map.of());
        CostModel cm = args.costModel(in);
        SearchEngine engine = new SearchEngine(cm, so);
        String header = String.format(Locale.ROOT, "Galvatron Studio search (--mode %s) for %s on %d node(s) x %d GPUs, %d GB, %s",
                so.mode().cliName(), model.name(), args.nodes(), args.gpusPerNode(), co.memoryConstraintGb(), co.mixedPrecision());
        Path logFile = search.logDir.resolve(model.profileName() + "_" + args.nodes() + "nodes_" + args.gpusPerNode() + "gpus_"
                + co.memoryConstraintGb() + "GB").resolve("search_" + so.mode().cliName() + ".log");
        SearchResult[] result = new SearchResult[1];
        try {
            // each sub-search goes to the log as it is found and is not kept: a default sweep's half a million fit in a small heap
            // one sub-search's lines at a time, turned to bytes by String.getBytes (a copy for ASCII text) rather than a
            // Writer's encoder, which a short run interprets character by character (a v2 log is 100 KB or more)
            StringBuilder lines = new StringBuilder(1 << 12);
            JsonFiles.writeAtomically(logFile, stream -> {
                SearchLog.header(lines, header, engine);
                writeOut(lines, stream);
                result[0] = engine.search(studio.engine.search.SearchListener.NONE, () -> false, t -> {
                    try {
                        SearchLog.task(lines, t);
                        writeOut(lines, stream);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                SearchLog.footer(lines, result[0]);
                writeOut(lines, stream);
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        SearchResult r = result[0];
        if (!r.found()) {
            String est = args.estimated.isEmpty() ? "" : " (profiles estimated)";
            String msg = r.leastMemoryCandidate() == null
                    ? "No valid configuration found" + est + ": these options leave no candidate strategy to search "
                            + "(check --settle_bsz, --settle_chunk, --max_tp_deg, --max_pp_deg and the disable_* options). No config written. Log: " + logFile
                    : String.format(Locale.ROOT, "No valid configuration found" + est + ": nothing fits %d GB per GPU. The least memory-hungry "
                            + "candidate (%s) needs %d MB per GPU; --memory_constraint %d would fit it. No config written. Log: %s",
                    co.memoryConstraintGb(), r.leastMemoryCandidate(), r.leastMemoryMb() + co.cacheReserveMb(), r.minimumFeasibleGb(), logFile);
            ObjectNode j = JsonNodeFactory.instance.objectNode();
            j.put("found", false);
            j.put("memory_constraint_gb", co.memoryConstraintGb());
            j.put("minimum_feasible_gb", r.minimumFeasibleGb());
            j.put("log", logFile.toString());
            return nothingFound(out, err, json, j, msg);
        }
        ParallelPlan plan = r.plan();
        Path dir = search.outputConfigPath != null ? search.outputConfigPath : Path.of(".");
        Path config = dir.resolve(fileName(model, args.nodes(), args.gpusPerNode(), co, search.settleBsz, engine.space()));
        GalvatronConfig.write(config, plan);
        PlanEstimate e = new PlanEvaluator(cm).evaluate(plan, r.best().minTp(), r.best().maxTp(), List.of());
        if (json) {
            out.println(summary(r, e, config, logFile, so).toPrettyString());
        } else {
            out.printf(Locale.ROOT, "%s%n", header);
            if (!args.estimated.isEmpty()) out.printf(Locale.ROOT, "Profiles: ESTIMATED — %s%n", args.estimated);
            out.printf(Locale.ROOT, "Searched %d sub-searches in %d ms%n", r.taskCount(), r.elapsedMs());
            out.printf(Locale.ROOT, "Best plan: pp %d, division %s, global batch %d, chunks %d, vtp %d, vsp %d, embed_sdp %d%n",
                    plan.pp(), plan.pipelineDivision(), plan.globalBatch(), plan.chunks(), plan.vocabTp(), plan.vocabUlysses() ? 1 : 0,
                    plan.embedSdp() ? 1 : 0);
            out.printf(Locale.ROOT, "Layers: %s%n", SearchLog.compact(r.best().best()));
            out.printf(Locale.ROOT, "Iteration time: %.6f s%n", r.best().best().costS());
            out.printf(Locale.ROOT, "Throughput: %.6f samples/s%n", r.throughput());
            out.printf(Locale.ROOT, "Memory per stage (MB): %s of %d%n", r.best().best().memoryCostMb(), co.totalMemoryMb());
            out.printf(Locale.ROOT, "Config: %s%nLog: %s%n", config, logFile);
        }
        out.flush();
        return 0;
    }

    private static void writeOut(StringBuilder lines, java.io.OutputStream stream) throws IOException {
        stream.write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        lines.setLength(0);
    }

    private int searchYaml() throws IOException {
        Path yaml = Search3Run.yamlOf(spec, yamlAndOverrides,
                java.util.Set.of("--mode", "--model-folder", "--runtime-keys", "--json", "--output_config_path", "--log_dir"));
        String m = mode == null ? "galvatron-v3" : mode;
        if (!m.equals("galvatron-v3") && !m.equals("studio")) {
            throw new UsageException("--mode " + m + " with a 3.0 YAML: expected galvatron-v3 (Galvatron 3.0's search exactly) or studio "
                    + "(the same search where 3.0 would die on its inputs, runnable plans only)");
        }
        if (search.outputConfigPath != null) UsageException.folder("--output_config_path", search.outputConfigPath);
        return new Search3Run(out, err, m.equals("studio")).run(yaml, yamlAndOverrides.subList(1, yamlAndOverrides.size()), modelFolder,
                search.outputConfigPath, json, runtimeKeys);
    }

    /** A search that found no plan: the summary or the message on stdout, the message on stderr, exit code 2. */
    static int nothingFound(PrintWriter out, PrintWriter err, boolean json, ObjectNode summary, String message) {
        out.println(json ? summary.toPrettyString() : message);
        out.flush();
        err.println("error: " + message);
        err.flush();
        return 2;
    }

    /** Galvatron's output file name (search-engine spec §7.2). */
    static String fileName(ModelDescription model, int nodes, int gpusPerNode, CostModelOptions co, int settleBsz,
                           StrategySpace.Generated g) {
        List<String> off = new ArrayList<>();
        if (g.disableDp()) off.add("dp");
        if (g.disableTp()) off.add("tp");
        if (g.disablePp()) off.add("pp");
        if (g.disableSdp()) off.add("sdp");
        if (g.disableCkpt()) off.add("ckpt");
        if (g.disableTpConsec()) off.add("tpconsec");
        return GalvatronConfig.fileName(model.profileName(), nodes, gpusPerNode, co.memoryConstraintGb(), co.mixedPrecision(), settleBsz, off);
    }

    private ObjectNode summary(SearchResult r, PlanEstimate e, Path config, Path log, SearchOptions so) {
        ObjectNode j = JsonNodeFactory.instance.objectNode();
        j.put("found", true);
        j.put("mode", so.mode().cliName());
        j.put("profiles", args.estimated.isEmpty() ? "measured" : "estimated: " + args.estimated);
        j.put("throughput_samples_per_s", r.throughput());
        j.put("iteration_time_s", r.best().best().costS());
        j.put("global_bsz", r.plan().globalBatch());
        j.put("chunks", r.plan().chunks());
        j.put("pp_deg", r.plan().pp());
        j.put("pp_division", r.plan().pipelineDivision().toString());
        j.put("vtp", r.plan().vocabTp());
        j.put("vsp", r.plan().vocabUlysses() ? 1 : 0);
        j.put("embed_sdp", r.plan().embedSdp() ? 1 : 0);
        j.put("min_tp", r.best().minTp());
        j.put("max_tp", r.best().maxTp());
        ArrayNode mem = j.putArray("stage_memory_mb");
        for (int m : r.best().best().memoryCostMb()) mem.add(m);
        ArrayNode detail = j.putArray("stages");
        for (StageMemory m : e.memory()) {
            ObjectNode s = detail.addObject();
            s.put("stage", m.stage());
            s.put("layers", m.layers());
            s.put("total_mb", m.totalMb());
            s.put("activations_mb", m.activationsMb());
        }
        List<String> rules = new ArrayList<>(studio.engine.plan.RuleViolation.summarize(e.violations()));
        ArrayNode v = j.putArray("runtime_rules_broken");
        rules.forEach(v::add);
        j.put("search_ms", r.elapsedMs());
        j.put("config", config.toString());
        j.put("log", log.toString());
        return j;
    }
}
