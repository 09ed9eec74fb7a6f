package studio.engine.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.io.JsonFiles;
import studio.engine.plan.v3.Galvatron3Config;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.plan.v3.Plan3;
import studio.engine.search.v3.Galvatron3Search;
import studio.engine.search.v3.Search3Result;
import studio.engine.search.v3.SearchSettings;
import studio.engine.search.v3.SpaceLimits;
import studio.engine.search.v3.TaskOutcome;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code gstudio search <search_dist.yaml> [overrides]}: Galvatron 3.0's search (v3 spec) on its own YAML, writing the
 * config it writes, with a per-task log beside it. Exit 0 = plan found, 2 = nothing fits.
 */
final class Search3Run {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean studioMode;
    private final String mode;

    /** @param studio the studio's mode: lenient inputs (departures said), and the best plan the 3.0 runtime's rules accept */
    Search3Run(PrintWriter out, PrintWriter err, boolean studio) {
        this.out = out;
        this.err = err;
        this.studioMode = studio;
        this.mode = studio ? "studio" : "galvatron-v3";
    }

    /**
     * The YAML of a {@code gstudio search|evaluate <yaml> [overrides]} command line, refusing Galvatron v2's options
     * beside it (3.0 takes its settings from the YAML) and a first argument that is not a YAML.
     */
    static Path yamlOf(picocli.CommandLine.Model.CommandSpec spec, List<String> yamlAndOverrides, java.util.Set<String> allowed) {
        String first = yamlAndOverrides.get(0);
        if (!Galvatron3Inputs.isYaml(first)) {
            throw new UsageException("'" + first + "': expected a Galvatron 3.0 search YAML (*.yaml or *.yml) before the overrides, "
                    + "or Galvatron v2's --options only");
        }
        List<String> v2Options = spec.commandLine().getParseResult().matchedOptions().stream().map(o -> o.longestName())
                .filter(o -> !allowed.contains(o)).distinct().toList();
        if (!v2Options.isEmpty()) {
            throw new UsageException(String.join(", ", v2Options) + " with a 3.0 YAML: Galvatron 3.0 takes its settings from the YAML; "
                    + "write them as overrides, e.g. search_engine.hardware_info.num_nodes=2 or search_engine.hardware_info.memory_constraint=40");
        }
        return Path.of(first);
    }

    int run(Path yaml, List<String> overrides, Path modelFolder, Path outputOverride, boolean json, boolean runtimeKeys) throws IOException {
        Galvatron3Inputs in = Galvatron3Inputs.load(yaml, overrides, modelFolder, studioMode);
        for (String k : in.ignoredKeys()) err.println("note: ignored (not read by Galvatron 3.0's search): " + k);
        for (String d : in.departures()) err.println("note: studio mode departs from Galvatron 3.0: " + d);
        err.flush();
        SearchSettings s = in.settings();
        Galvatron3Search search = new Galvatron3Search(in.costModel(), s);
        Search3Result r = search.search(null);
        String name = s.modelName() + "_" + s.numNodes() + "nodes_" + s.gpusPerNode() + "gpus_" + s.memoryConstraintGb() + "GB";
        Path log = in.logFolder().resolve(name).resolve("search_" + mode + ".log");
        JsonFiles.writeAtomically(log, render(in, r));
        String header = String.format(Locale.ROOT, "Galvatron Studio search (--mode " + mode + ") for %s on %d node(s) x %d GPUs, %d GB, %s",
                s.modelName(), s.numNodes(), s.gpusPerNode(), s.memoryConstraintGb(), s.cost().precision().configName());
        if (!r.found()) {
            String msg = r.tasks().isEmpty()
                    ? "No valid configuration found: these settings leave no task to search (check settle_bsz, settle_chunk, max_pp_deg and the disable_* options). No config written. Log: " + log
                    : r.throughput() < 0
                    ? "No valid configuration found: no task has a strategy to search (check max_tp_deg and the disable_* options). No config written. Log: " + log
                    : "No valid configuration found: nothing fits " + s.memoryConstraintGb() + " GB per GPU in any of the " + r.tasks().size()
                    + " tasks" + (r.minimumFeasibleGb() > 0 ? "; memory_constraint " + r.minimumFeasibleGb()
                    + " would fit the least memory-hungry plan (every layer at its lightest strategy)" : "") + ". No config written. Log: " + log;
            ObjectNode j = JsonNodeFactory.instance.objectNode();
            j.put("found", false);
            j.put("mode", mode);
            j.put("throughput_samples_per_s", r.throughput());
            j.put("tasks", r.tasks().size());
            j.put("memory_constraint_gb", s.memoryConstraintGb());
            j.put("minimum_feasible_gb", r.minimumFeasibleGb());
            j.put("log", log.toString());
            return SearchCommand.nothingFound(out, err, json, j, msg);
        }
        TaskOutcome best = studioMode ? bestRunnable(in, r, s) : r.best();
        if (best == null) {
            String msg = "No runnable configuration found: every plan that fits breaks a rule of the 3.0 runtime (see the log). No config written. Log: " + log;
            ObjectNode j = JsonNodeFactory.instance.objectNode();
            j.put("found", false);
            j.put("mode", mode);
            j.put("log", log.toString());
            return SearchCommand.nothingFound(out, err, json, j, msg);
        }
        Plan3 plan = best.plan(s);
        SpaceLimits l = s.space();
        Path dir = outputOverride != null ? outputOverride : in.outputFolder();
        Path config = dir.resolve(Galvatron3Config.fileName(s.modelName(), s.numNodes(), s.gpusPerNode(), s.memoryConstraintGb(),
                s.cost().precision().configName(), s.batch().settleBsz(), l.disableDp(), l.disableTp(), l.disablePp(), l.disableFsdp(), l.disableCheckpoint()));
        Galvatron3Config.write(config, plan, runtimeKeys || studioMode); // the studio's plans are for the runtime: its keys too
        if (json) {
            ObjectNode j = summary(r, best, plan, config, log, mode);
            ArrayNode departures = j.putArray("departures");
            in.departures().forEach(departures::add);
            // the same per-stage detail and runtime rules as the v2 summary, from 3.0's evaluator over the written plan
            var estimate = in.evaluator().evaluate(plan.toParallelPlan());
            ArrayNode detail = j.putArray("stages");
            for (var m : estimate.memory()) {
                ObjectNode st = detail.addObject();
                st.put("stage", m.stage());
                st.put("layers", m.layers());
                st.put("total_mb", m.totalMb());
                st.put("activations_mb", m.activationsMb());
            }
            ArrayNode rules = j.putArray("runtime_rules_broken");
            studio.engine.plan.RuleViolation.summarize(estimate.violations()).forEach(rules::add);
            out.println(j.toPrettyString());
        } else {
            HybridStrategy e = best.vocabulary();
            out.println(header);
            out.printf(Locale.ROOT, "Searched %d sub-searches in %d ms%n", r.tasks().size(), r.elapsedMs());
            out.printf(Locale.ROOT, "Best task: %s%n", best.task());
            out.printf(Locale.ROOT, "Best plan: pp %d, division %s, global batch %d, chunks %d, vtp %d, vsp %d, embed_sdp %d%n",
                    plan.pp(), plan.pipelineDivision(), plan.globalBatch(), plan.chunks(), e.tensorOrSequenceDegree(), e.sp() > 1 ? 1 : 0, e.zero3() ? 1 : 0);
            out.printf(Locale.ROOT, "Layers: %s%n", compact(best.layers()));
            out.printf(Locale.ROOT, "Iteration time: %.6f s%n", best.iterationTimeS());
            out.printf(Locale.ROOT, "Throughput: %.6f samples/s%n", best.throughput());
            out.printf(Locale.ROOT, "Memory per stage (MB): %s of %d%n", Arrays.toString(best.memoryUsedMb()), s.totalMemoryMb());
            out.printf(Locale.ROOT, "Config: %s%nLog: %s%n", config, log);
            if (best.layers().stream().anyMatch(x -> x.cp() > 1) && !runtimeKeys && !studioMode) {
                out.println("Note: the plan uses context parallelism, which Galvatron 3.0 does not write (quirk Q-v3-4); --runtime-keys writes cp_sizes_enc");
            }
            if (e.zero3() && !runtimeKeys && !studioMode) {
                out.println("Note: the vocabulary is ZeRO-3 (embed_sdp 1), which Galvatron 3.0's runtime reads as vocab_sdp (quirk Q-v3-9); --runtime-keys writes it");
            }
        }
        out.flush();
        return 0;
    }


    /**
     * The studio's choice: the fastest task whose plan the 3.0 runtime's rules accept (Galvatron's own winner when it
     * does), in Galvatron's task order among equals.
     */
    private static TaskOutcome bestRunnable(Galvatron3Inputs in, Search3Result r, SearchSettings s) {
        List<TaskOutcome> found = new ArrayList<>(r.outcomes().stream().filter(TaskOutcome::found).toList());
        found.sort(java.util.Comparator.comparingDouble(TaskOutcome::throughput).reversed());
        var evaluator = in.evaluator();
        for (TaskOutcome o : found) {
            if (evaluator.evaluate(o.plan(s).toParallelPlan()).violations().isEmpty()) return o;
        }
        return null;
    }

    private static ObjectNode summary(Search3Result r, TaskOutcome best, Plan3 plan, Path config, Path log, String mode) {
        ObjectNode j = JsonNodeFactory.instance.objectNode();
        j.put("found", true);
        j.put("mode", mode);
        j.put("profiles", "measured");
        j.put("throughput_samples_per_s", best.throughput());
        j.put("iteration_time_s", best.iterationTimeS());
        j.put("global_bsz", plan.globalBatch());
        j.put("chunks", plan.chunks());
        j.put("pp_deg", plan.pp());
        j.put("pp_division", plan.pipelineDivision().toString());
        HybridStrategy e = best.vocabulary();
        j.put("vtp", e.tensorOrSequenceDegree());
        j.put("vsp", e.sp() > 1 ? 1 : 0);
        j.put("embed_sdp", e.zero3() ? 1 : 0);
        j.put("tp_sp_mode", best.task().mode().configName());
        j.put("global_buffer_tp_size", best.task().bufferTp());
        ArrayNode mem = j.putArray("stage_memory_mb");
        for (int m : best.memoryUsedMb()) mem.add(m);
        ArrayNode remain = j.putArray("stage_memory_remain_mb");
        for (int m : best.memoryRemainMb()) remain.add(m);
        ArrayNode layers = j.putArray("layers");
        best.layers().forEach(x -> layers.add(x.label()));
        j.put("tasks", r.tasks().size());
        j.put("search_ms", r.elapsedMs());
        j.put("config", config.toString());
        j.put("log", log.toString());
        return j;
    }

    /** Runs of equal strategies: {@code 16 x 2-2*-2, 16 x 2-2*-2-c}. */
    static String compact(List<HybridStrategy> layers) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < layers.size()) {
            int j = i;
            while (j < layers.size() && layers.get(j).equals(layers.get(i))) j++;
            if (sb.length() > 0) sb.append(", ");
            sb.append(j - i).append(" x ").append(layers.get(i).label());
            i = j;
        }
        return sb.toString();
    }

    /** The log: inputs, strategy lists, every task's optimum (Galvatron's tasks.tsv columns), and the winner. */
    private static String render(Galvatron3Inputs in, Search3Result r) {
        StringBuilder sb = new StringBuilder();
        SearchSettings s = in.settings();
        sb.append("Galvatron 3.0 search (").append(s.studio() ? "studio" : "galvatron-v3").append(") from ").append(in.yaml()).append('\n');
        for (String d : in.departures()) sb.append("departs from Galvatron 3.0: ").append(d).append('\n');
        sb.append("model folder: ").append(in.modelFolder()).append('\n');
        sb.append("model: ").append(s.modelName()).append(", hidden ").append(s.cost().hiddenSize()).append(", layers ")
                .append(s.cost().layerCount()).append(", seq ").append(s.cost().seqLength()).append('\n');
        sb.append("model fields from: hidden_size ").append(in.model().sources().get("hidden_size")).append(", num_layers ")
                .append(in.model().sources().get("num_layers")).append(" (quirk Q-v3-2: the profiles follow model_size, ")
                .append(in.model().sources().get("model_size")).append(")\n");
        sb.append("profiles: ").append(in.profile().computationFile() == null ? "ESTIMATED (see the departures)" : in.profile().computationFile() + ", "
                + in.profile().memoryFile()).append('\n');
        sb.append("forward time: layer ").append(in.profile().layerForward()).append(", other ").append(in.profile().otherForward()).append('\n');
        sb.append("budget: ").append(s.totalMemoryMb()).append(" MB, cache ").append(s.cacheReserveMb()).append(", knapsack ").append(s.budgetMb()).append('\n');
        sb.append("layer strategies (").append(r.strategies().layers().size()).append("): ")
                .append(String.join(", ", r.strategies().layers().stream().map(HybridStrategy::label).toList())).append('\n');
        sb.append("embedding strategies (").append(r.strategies().vocabulary().size()).append("): ")
                .append(String.join(", ", r.strategies().vocabulary().stream().map(HybridStrategy::label).toList())).append('\n');
        sb.append("\ngbsz\tchunks\tpp_size\ttp_sp_mode\tglobal_buffer_tp_size\tthroughput\ttime_cost\tmemory_used\tmemory_remain\tvtp\tvsp\tembed_sdp\tstrategies\n");
        for (TaskOutcome o : r.outcomes()) {
            sb.append(o.task().batch()).append('\t').append(o.task().chunks()).append('\t').append(o.task().pp()).append('\t')
                    .append(o.task().mode().configName()).append('\t').append(o.task().bufferTp()).append('\t').append(o.throughput()).append('\t');
            if (o.vocabulary() == null) {
                sb.append("\t\t\t\t\t\t\n");
                continue;
            }
            sb.append(o.iterationTimeS()).append('\t').append(join(o.memoryUsedMb())).append('\t').append(join(o.memoryRemainMb())).append('\t')
                    .append(o.vocabulary().tensorOrSequenceDegree()).append('\t').append(o.vocabulary().sp() > 1 ? 1 : 0).append('\t')
                    .append(o.vocabulary().zero3() ? 1 : 0).append('\t').append(String.join(", ", o.layers().stream().map(HybridStrategy::label).toList()))
                    .append('\n');
        }
        sb.append("\nsearched ").append(r.tasks().size()).append(" tasks in ").append(r.elapsedMs()).append(" ms\n");
        sb.append(r.found() ? "best: " + r.best().task() + ", throughput " + r.best().throughput() + " samples/s\n" : "No valid configuration found.\n");
        return sb.toString();
    }

    private static String join(int[] xs) {
        return xs.length == 1 ? Integer.toString(xs[0]) : Arrays.toString(xs);
    }
}
