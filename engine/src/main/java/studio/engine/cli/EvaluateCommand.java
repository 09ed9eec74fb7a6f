package studio.engine.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.cost.StageMemory;
import studio.engine.cost.StageTime;
import studio.engine.model.ModelDescription;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;
import studio.engine.plan.RuleViolation;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code gstudio evaluate}: the cost of one galvatron_config plan, per stage. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a galvatron_config_*.json plan with Galvatron's cost model: per-stage memory and time,",
                "iteration time and throughput. Exit code 0 = fits and runnable, 2 = breaks a runtime rule or the memory",
                "budget (still printed), 1 = bad input."})
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--galvatron_config_path", required = true, paramLabel = "FILE", description = "The plan to evaluate.")
    Path configPath;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--min_tp", paramLabel = "T", description = "Galvatron's task min-tp (default: min of layer tp and vtp).")
    int minTp;

    @Option(names = "--max_tp", paramLabel = "T", description = "Galvatron's task max-tp (default: max of layer tp and vtp).")
    int maxTp;

    final GalvatronArgs args = new GalvatronArgs();

    /** A search_dist.sh's search-only options, accepted so its arguments carry over, and named as unused. */
    final SearchOnlyArgs searchOnly = new SearchOnlyArgs();

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Parameters(paramLabel = "YAML [OVERRIDE...]", arity = "0..*",
            description = "Cost the plan with Galvatron 3.0's model: its search YAML (scripts/search_dist.yaml) and Hydra overrides.")
    List<String> yamlAndOverrides = new java.util.ArrayList<>();

    @Option(names = "--model-folder", paramLabel = "DIR", description = "With a 3.0 YAML: the folder Galvatron's search_dist.py runs from.")
    Path modelFolder;

    @Option(names = "--mode", paramLabel = "galvatron-v3|studio", defaultValue = "galvatron-v3",
            description = "With a 3.0 YAML: galvatron-v3 costs as Galvatron 3.0 does; studio also costs ring attention and MoE experts "
                    + "(estimated MoE profiles), as `search --mode studio` does.")
    String mode;

    private final PrintWriter out;
    private final PrintWriter err;

    public EvaluateCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** This command from its annotations, with Galvatron's options and the search-only ones after its own. */
    static picocli.CommandLine commandLine(PrintWriter out, PrintWriter err) {
        EvaluateCommand command = new EvaluateCommand(out, err);
        CommandOptions options = CommandOptions.of(picocli.CommandLine.Model.CommandSpec.forAnnotatedObject(command));
        command.args.addTo(options);
        command.searchOnly.addTo(options);
        return new picocli.CommandLine(options.spec());
    }

    @Override
    public Integer call() {
        java.util.Set<String> searchNames = SearchOnlyArgs.names();
        java.util.List<String> unused = spec.commandLine().getParseResult().matchedOptions().stream().map(o -> o.longestName())
                .filter(searchNames::contains).filter(n -> !n.equals("--profile_mode")).distinct().toList();
        if (!unused.isEmpty()) {
            err.println("note: search options not used by evaluate: " + String.join(", ", unused));
            err.flush();
        }
        if (java.nio.file.Files.isDirectory(configPath)) {
            throw new studio.engine.io.InputFileException(configPath, "--galvatron_config_path", "is a folder; expected a galvatron_config_*.json file");
        }
        if (!yamlAndOverrides.isEmpty()) return evaluateV3();
        searchOnly.applyProfileMode(args);
        args.validate();
        UsageException.check(minTp >= 0 && minTp <= 1024, "--min_tp", minTp, "0 (from the plan) to 1024");
        UsageException.check(maxTp >= 0 && maxTp <= 1024, "--max_tp", maxTp, "0 (from the plan) to 1024");
        inferClusterFromFileName();
        GalvatronConfig.Loaded loaded = GalvatronConfig.read(configPath, args.nodes() * args.gpusPerNode(),
                PipelineType.parse(args.pipelineType), args.dpType());
        GalvatronArgs.Resolved in = args.resolve(err);
        ModelDescription model = in.model();
        var costOptions = args.costOptions();
        PlanEvaluator evaluator = new PlanEvaluator(args.costModel(in));
        PlanEstimate e;
        try {
            e = evaluator.evaluate(loaded.plan(), minTp, maxTp, loaded.fileViolations());
        } catch (studio.engine.plan.PlanException ex) {
            throw new studio.engine.io.InputFileException(configPath, ex.key(), ex.getMessage(), ex);
        }
        if (json) {
            ObjectNode j = toJson(model, loaded.plan(), e, costOptions.worldSize(), studio.engine.model.ArchitectureReader.of(model));
            if (!args.estimated.isEmpty()) j.put("profiles", "estimated: " + args.estimated);
            out.println(j.toPrettyString());
        } else {
            print(model, loaded.plan(), e, args.nodes(), args.gpusPerNode(), costOptions.memoryConstraintGb(), costOptions.mixedPrecision());
        }
        out.flush();
        return e.violations().isEmpty() && e.fitsMemory() ? 0 : 2;
    }

    /** Galvatron's config names carry the cluster and budget; use them unless the user gave the flags. */
    private void inferClusterFromFileName() {
        Path fileName = configPath.getFileName();
        if (fileName == null) return;
        GalvatronConfig.NameInfo info = GalvatronConfig.nameInfo(fileName.toString());
        if (args.numNodes == null && info.nodes() != null) args.numNodes = fromName(info.nodes(), "nodes", GalvatronArgs.MAX_NODES, "--num_nodes");
        if (args.numGpusPerNode == null && info.gpusPerNode() != null) {
            args.numGpusPerNode = fromName(info.gpusPerNode(), "GPUs per node", GalvatronArgs.MAX_GPUS_PER_NODE, "--num_gpus_per_node");
        }
        if (args.memoryConstraint == null && info.memoryGb() != null) {
            args.memoryConstraint = fromName(info.memoryGb(), "GB", GalvatronArgs.MAX_MEMORY_GB, "--memory_constraint");
        }
        // the model too, when the name is one of the shipped presets (gpt-2.7b, llama-7b, ...)
        if (args.modelSize == null && args.setModelConfigManually == 0 && info.model() != null) {
            Path root = args.sampleConfigs != null ? args.sampleConfigs : studio.engine.inputs.InputLocator.defaultSampleRoot();
            if (new studio.engine.model.ModelCatalog(root).presetFile(info.model()) != null) args.modelSize = info.model();
        }
    }

    /** A number Galvatron's file name carries; out of range, the file is named and the option that overrides it. */
    private int fromName(int v, String what, int max, String option) {
        if (v < 1 || v > max) {
            throw new studio.engine.io.InputFileException(configPath, "file name", "says " + (v < 0 ? "an enormous number of" : v + "") + " "
                    + what + "; expected 1 to " + max + " (pass " + option + " to override the name)");
        }
        return v;
    }

    /** {@code gstudio evaluate --galvatron_config_path X.json search_dist.yaml [overrides]}: the 3.0 model and runtime rules. */
    private int evaluateV3() {
        Path yaml = Search3Run.yamlOf(spec, yamlAndOverrides, java.util.Set.of("--galvatron_config_path", "--json", "--model-folder", "--mode"));
        if (!mode.equals("galvatron-v3") && !mode.equals("studio")) {
            throw new UsageException("--mode " + mode + ": with a Galvatron 3.0 YAML expected galvatron-v3 or studio");
        }
        var in = studio.engine.inputs.v3.Galvatron3Inputs.load(yaml, yamlAndOverrides.subList(1, yamlAndOverrides.size()), modelFolder,
                mode.equals("studio"));
        var s = in.settings();
        GalvatronConfig.Loaded loaded = GalvatronConfig.read(configPath, s.worldSize(), s.cost().pipelineType(), s.defaultDpType(),
                studio.engine.plan.TargetRuntime.GALVATRON_V3);
        PlanEstimate e;
        try {
            e = in.evaluator().evaluate(loaded.plan(), loaded.fileViolations());
        } catch (studio.engine.plan.PlanException ex) {
            throw new studio.engine.io.InputFileException(configPath, ex.key(), ex.getMessage(), ex);
        }
        ModelDescription model = in.modelDescription();
        if (json) {
            studio.engine.model.Architecture arch;
            try {
                arch = studio.engine.model.ArchitectureReader.fromGalvatron3(in.yaml(), s.modelName(), in.model().values());
            } catch (studio.engine.io.InputFileException ex) {
                arch = null; // the model's fields do not say enough to count parameters (no vocabulary size, say)
            }
            ObjectNode j = toJson(model, loaded.plan(), e, s.worldSize(), arch);
            j.put("target", studio.engine.plan.TargetRuntime.GALVATRON_V3.configName());
            out.println(j.toPrettyString());
        } else {
            out.println("Cost model: " + (mode.equals("studio") ? "the studio's (Galvatron 3.0's, with ring attention and MoE experts)" : "Galvatron 3.0")
                    + " (" + in.yaml() + ")");
            in.departures().forEach(d -> out.println("  departs from Galvatron 3.0: " + d));
            print(model, loaded.plan(), e, s.numNodes(), s.gpusPerNode(), s.memoryConstraintGb(), s.cost().precision().configName());
        }
        out.flush();
        return e.violations().isEmpty() && e.fitsMemory() ? 0 : 2;
    }

    private void print(ModelDescription model, ParallelPlan plan, PlanEstimate e, int nodes, int gpusPerNode, int memGb, String precision) {
        int world = nodes * gpusPerNode;
        out.printf(Locale.ROOT, "Plan %s%n", configPath);
        if (!args.estimated.isEmpty()) out.printf(Locale.ROOT, "Profiles: ESTIMATED — %s%n", args.estimated);
        out.printf(Locale.ROOT, "Model %s: %d layers, hidden %d | %d GPUs (%d x %d) | %d GB | %s%n", model.name(), model.totalLayers(),
                model.hiddenSize(), world, nodes, gpusPerNode, memGb, precision);
        out.printf(Locale.ROOT, "pp %d, division %s | global batch %d, chunks %d (micro-batch %d per min-tp group, %d run) | "
                        + "vtp %d, vsp %d, embed_sdp %d | %s, %s | min_tp %d, max_tp %d%n",
                plan.pp(), plan.pipelineDivision(), plan.globalBatch(), plan.chunks(), e.microBatchSize(), e.realChunks(),
                plan.vocabTp(), plan.vocabUlysses() ? 1 : 0, plan.embedSdp() ? 1 : 0, plan.pipelineType().configName(),
                plan.defaultDpType().configName(), e.minTp(), e.maxTp());
        out.println();
        List<StageMemory> mem = e.memory();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-28s", "Memory per GPU (MB)"));
        for (StageMemory s : mem) head.append(String.format(Locale.ROOT, "%12s", "stage " + s.stage()));
        out.println(head);
        row("parameters", mem, StageMemory::parametersMb);
        row("gradients", mem, StageMemory::gradientsMb);
        row("optimizer states", mem, StageMemory::optimizerStatesMb);
        if (mem.stream().anyMatch(m -> m.expertStatesMb() > 0)) row("  of which experts' states", mem, StageMemory::expertStatesMb);
        row("activations", mem, StageMemory::activationsMb);
        row("other (vocab, context, SP)", mem, s -> (double) s.otherMb());
        row("cache reserve", mem, s -> (double) s.reservedMb());
        row("total", mem, s -> (double) s.totalMb());
        row("budget", mem, s -> (double) s.budgetMb());
        out.println();
        List<StageTime> time = e.time();
        StringBuilder th = new StringBuilder(String.format(Locale.ROOT, "%-28s", "Time per iteration (s)"));
        for (StageTime s : time) th.append(String.format(Locale.ROOT, "%12s", "stage " + s.stage()));
        out.println(th);
        trow("compute", time, StageTime::computeS);
        trow("tp / sp communication", time, StageTime::tpS);
        if (time.stream().anyMatch(t -> t.expertExchangeS() > 0)) trow("  of which experts' all-to-all", time, StageTime::expertExchangeS);
        if (time.stream().anyMatch(t -> t.ringS() > 0)) trow("  of which ring exchange (cp)", time, StageTime::ringS);
        trow("dp communication", time, StageTime::dpS);
        trow("p2p", time, StageTime::p2pS);
        trow("bubble", time, StageTime::bubbleS);
        out.println();
        out.printf(Locale.ROOT, "Iteration time: %.6f s%n", e.iterationS());
        out.printf(Locale.ROOT, "Throughput: %.6f samples/s%n", e.throughput());
        if (!e.fitsMemory()) {
            out.printf(Locale.ROOT, "Memory: over budget on stage(s) %s (peak %d MB of %d MB)%n",
                    mem.stream().filter(s -> !s.fits()).map(StageMemory::stage).toList(), e.peakMemoryMb(), mem.get(0).budgetMb());
        } else {
            out.printf(Locale.ROOT, "Memory: fits (peak %d MB of %d MB)%n", e.peakMemoryMb(), mem.get(0).budgetMb());
        }
        if (e.violations().isEmpty()) {
            out.println("Runtime rules: all satisfied");
        } else {
            List<String> lines = RuleViolation.summarize(e.violations());
            out.printf(Locale.ROOT, "Runtime rules broken (%d):%n", lines.size());
            for (String line : lines) out.println("  " + line);
        }
    }

    private void row(String label, List<StageMemory> mem, Function<StageMemory, Double> f) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-26s", label));
        for (StageMemory s : mem) sb.append(String.format(Locale.ROOT, "%12.1f", f.apply(s)));
        out.println(sb);
    }

    private void trow(String label, List<StageTime> time, Function<StageTime, Double> f) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-26s", label));
        for (StageTime s : time) sb.append(String.format(Locale.ROOT, "%12.6f", f.apply(s)));
        out.println(sb);
    }

    /** @param architecture the model's parameter layout, or null when it is not a decoder the studio counts */
    static ObjectNode toJson(ModelDescription model, ParallelPlan plan, PlanEstimate e, int world, studio.engine.model.Architecture architecture) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("model", model.name());
        root.put("profiles", "measured");
        root.put("layers", model.totalLayers());
        root.put("world_size", world);
        root.put("pp_deg", plan.pp());
        root.put("global_bsz", plan.globalBatch());
        root.put("chunks", plan.chunks());
        root.put("vtp", plan.vocabTp());
        root.put("min_tp", e.minTp());
        root.put("max_tp", e.maxTp());
        root.put("micro_batch_size", e.microBatchSize());
        root.put("iteration_time_s", e.iterationS());
        root.put("throughput_samples_per_s", e.throughput());
        root.put("fits_memory", e.fitsMemory());
        double[] perGpu = null;
        if (architecture != null) {
            var count = new studio.engine.model.ParameterCount(architecture);
            root.put("total_parameters", count.total());
            root.put("active_parameters_per_token", count.activePerToken());
            perGpu = studio.engine.cost.ParameterPlacement.perStage(plan, architecture, world);
        }
        ArrayNode stages = root.putArray("stages");
        for (int i = 0; i < e.memory().size(); i++) {
            StageMemory m = e.memory().get(i);
            StageTime t = e.time().get(i);
            ObjectNode s = stages.addObject();
            s.put("stage", i);
            s.put("layers", m.layers());
            if (perGpu != null) s.put("parameters_per_gpu", Math.round(perGpu[i]));
            ObjectNode mm = s.putObject("memory_mb");
            mm.put("parameters", m.parametersMb());
            mm.put("gradients", m.gradientsMb());
            mm.put("optimizer_states", m.optimizerStatesMb());
            mm.put("expert_states", m.expertStatesMb());
            mm.put("activations", m.activationsMb());
            mm.put("other", m.otherMb());
            mm.put("cache_reserve", m.reservedMb());
            mm.put("total", m.totalMb());
            mm.put("budget", m.budgetMb());
            ObjectNode tt = s.putObject("time_s");
            tt.put("compute", t.computeS());
            tt.put("tp", t.tpS());
            tt.put("expert_exchange", t.expertExchangeS());
            tt.put("ring_exchange", t.ringS());
            tt.put("dp", t.dpS());
            tt.put("p2p", t.p2pS());
            tt.put("bubble", t.bubbleS());
        }
        ArrayNode v = root.putArray("violations");
        for (RuleViolation r : e.violations()) {
            ObjectNode o = v.addObject();
            o.put("rule", r.rule());
            o.put("layer", r.layer());
            o.put("message", r.message());
        }
        return root;
    }
}
