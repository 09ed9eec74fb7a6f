package studio.engine.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads and writes {@code galvatron_config_*.json} as Galvatron does. Reading accepts every config Galvatron has
 * written (no {@code cp_sizes_enc} means all 1); writing always emits {@code cp_sizes_enc}, which the v2 runtime
 * requires.
 */
public final class GalvatronConfig {
    private GalvatronConfig() {
    }

    /** A read plan and the runtime rules its file breaks as written (the plan is still usable for evaluation). */
    public record Loaded(ParallelPlan plan, List<RuleViolation> fileViolations) {
        public Loaded {
            fileViolations = List.copyOf(fileViolations);
        }
    }

    /**
     * @param worldSize        GPUs in the cluster (dp of a layer is worldSize / pp / tp)
     * @param pipelineDefault  the CLI pipeline type, used when the file has none
     * @param dpTypeDefault    the CLI default DP type, used when the file has none
     */
    public static Loaded read(Path file, int worldSize, PipelineType pipelineDefault, DpType dpTypeDefault) {
        return parse(file, JsonFiles.readObject(file), worldSize, pipelineDefault, dpTypeDefault);
    }

    /** A config as the given runtime reads it (3.0: cp_sizes_enc optional, vocab_sdp, vcp and world_size; v3 spec §7.3). */
    public static Loaded read(Path file, int worldSize, PipelineType pipelineDefault, DpType dpTypeDefault, TargetRuntime target) {
        return parse(file, JsonFiles.readObject(file), worldSize, pipelineDefault, dpTypeDefault, target);
    }

    /** A config held in another document (a studio project); {@code file} names that document in errors. */
    public static Loaded parse(Path file, ObjectNode j, int worldSize, PipelineType pipelineDefault, DpType dpTypeDefault) {
        return parse(file, j, worldSize, pipelineDefault, dpTypeDefault, TargetRuntime.GALVATRON_V2);
    }

    public static Loaded parse(Path file, ObjectNode j, int worldSize, PipelineType pipelineDefault, DpType dpTypeDefault,
                               TargetRuntime target) {
        boolean v3 = target == TargetRuntime.GALVATRON_V3;
        List<RuleViolation> v = new ArrayList<>();
        int pp = intField(file, j, "pp_deg", true, 1, v);
        int bsz = intField(file, j, "global_bsz", true, 0, v);
        int chunks = intField(file, j, "chunks", true, 0, v);
        List<Integer> tp = listField(file, j, "tp_sizes_enc", null, true, v);
        int n = tp.size();
        List<Integer> consec = listField(file, j, "tp_consecutive_flags", null, true, v);
        List<Integer> dpTypes = listField(file, j, "dp_types_enc", null, true, v);
        List<Integer> cp;
        if (j.has("cp_sizes_enc")) {
            cp = listField(file, j, "cp_sizes_enc", null, false, v);
        } else if (v3) {
            cp = ones(n);
        } else {
            v.add(new RuleViolation(1, -1, "cp_sizes_enc is missing: the v2 runtime stops with KeyError: 'cp_sizes_enc' "
                    + "(export the plan again to add it)"));
            cp = ones(n);
        }
        List<Integer> useSp = j.has("use_sp") ? listField(file, j, "use_sp", null, false, v) : ones0(n);
        List<Integer> ckpt = j.has("checkpoint") ? listField(file, j, "checkpoint", null, false, v) : ones0(n);
        for (var e : List.of(java.util.Map.entry("tp_consecutive_flags", consec), java.util.Map.entry("dp_types_enc", dpTypes),
                java.util.Map.entry("cp_sizes_enc", cp), java.util.Map.entry("use_sp", useSp), java.util.Map.entry("checkpoint", ckpt))) {
            if (e.getValue().size() < n) {
                throw new InputFileException(file, e.getKey(), "has " + e.getValue().size() + " entries; expected one per layer ("
                        + n + ", as in tp_sizes_enc)");
            }
            if (e.getValue().size() > n) {
                v.add(new RuleViolation(4, -1, e.getKey() + " has " + e.getValue().size() + " entries but tp_sizes_enc has " + n));
            }
        }
        List<Integer> division;
        if (j.has("pp_division")) {
            division = listField(file, j, "pp_division", null, false, v);
        } else {
            division = ParallelPlan.evenDivision(n, Math.max(1, pp));
        }
        PipelineType pt = pipelineDefault;
        if (j.has("pipeline_type")) {
            JsonNode node = j.get("pipeline_type");
            try {
                pt = PipelineType.parse(node.asText());
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "pipeline_type", "expected \"gpipe\" or \"pipedream_flush\", found " + JsonFiles.kind(node));
            }
        }
        DpType dt = dpTypeDefault;
        if (j.has("default_dp_type")) {
            JsonNode node = j.get("default_dp_type");
            try {
                dt = DpType.parse(node.asText());
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "default_dp_type", "expected \"ddp\", \"zero2\" or \"zero3\", found " + JsonFiles.kind(node));
            }
        }
        int vtp = j.has("vtp") ? intField(file, j, "vtp", false, 1, v) : 1;
        int vsp = j.has("vsp") ? intField(file, j, "vsp", false, 0, v) : 0;
        int embedSdp = j.has("embed_sdp") ? intField(file, j, "embed_sdp", false, 0, v) : 0;
        if (v3) {
            if (j.has("vocab_sdp")) {
                embedSdp = intField(file, j, "vocab_sdp", false, 0, v);
            } else if (embedSdp == 1) {
                v.add(new RuleViolation(15, -1, "embed_sdp 1 without vocab_sdp: the 3.0 runtime reads vocab_sdp and runs the vocabulary "
                        + "without ZeRO-3 (Galvatron 3.0's search writes only embed_sdp); export the plan again to add vocab_sdp"));
            }
            int vcp = j.has("vcp") ? intField(file, j, "vcp", false, 1, v) : 1;
            if (vcp != 1) v.add(new RuleViolation(11, -1, "vcp " + vcp + ": the studio costs the vocabulary without context parallelism"));
            if (j.has("world_size")) {
                int ws = intField(file, j, "world_size", false, worldSize, v);
                if (ws != worldSize) {
                    v.add(new RuleViolation(3, -1, "world_size " + ws + " in the file, but the cluster has " + worldSize
                            + " GPUs: the 3.0 runtime ignores world_size and re-derives the data-parallel degrees"));
                }
            }
        }
        if (pp < 1 || worldSize % pp != 0) {
            throw new InputFileException(file, "pp_deg", "expected a divisor of the " + worldSize + " GPUs, found " + pp);
        }
        List<LayerStrategy> layers = new ArrayList<>();
        int stageGpus = worldSize / pp;
        for (int i = 0; i < n; i++) {
            int t = tp.get(i);
            if (t < 1 || stageGpus % t != 0) {
                throw new InputFileException(file, "tp_sizes_enc", "layer " + i + " has tp " + t + "; expected a divisor of the "
                        + stageGpus + " GPUs of a stage");
            }
            int d = stageGpus / t;
            layers.add(new LayerStrategy(pp, t, d,
                    t > 1 && d > 1 ? (consec.get(i) == 0 ? 0 : 1) : -1,
                    d > 1 ? (dpTypes.get(i) == 1 ? 1 : 0) : -1,
                    t > 1 ? (useSp.get(i) == 1 ? 1 : 0) : -1,
                    ckpt.get(i) == 1));
        }
        List<ExpertPlacement> experts = null;
        if (j.has("ep_sizes_enc") || j.has("tp_of_ep_sizes_enc")) {
            // the 3.0 runtime's MoE layout, each list optional (all 1 when absent), one entry per layer
            List<Integer> ep = j.has("ep_sizes_enc") ? listField(file, j, "ep_sizes_enc", null, false, v) : ones(n);
            List<Integer> etp = j.has("tp_of_ep_sizes_enc") ? listField(file, j, "tp_of_ep_sizes_enc", null, false, v) : ones(n);
            experts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = i < ep.size() ? "tp_of_ep_sizes_enc" : "ep_sizes_enc";
                if (i >= ep.size() || i >= etp.size()) {
                    throw new InputFileException(file, key, "has fewer entries than layers; expected one per layer (" + n + ", as in tp_sizes_enc)");
                }
                int e = ep.get(i);
                int t = etp.get(i);
                if (e < 1 || t < 1 || stageGpus % ((long) e * t) != 0) {
                    throw new InputFileException(file, "ep_sizes_enc", "layer " + i + " has ep " + e + " x tp_of_ep " + t
                            + "; expected powers of two whose product divides the " + stageGpus + " GPUs of a stage");
                }
                experts.add(new ExpertPlacement(e, t));
            }
        }
        ParallelPlan plan = new ParallelPlan(layers, division, bsz, chunks, vtp, vsp == 1, embedSdp == 1, pt, dt, cp.subList(0, n), experts);
        // Keep raw flag values for validation of out-of-range entries.
        for (int i = 0; i < n; i++) {
            if (consec.get(i) != 0 && consec.get(i) != 1) v.add(new RuleViolation(9, i, "tp_consecutive_flags is " + consec.get(i) + "; the runtime stops with 'Wrong tp_consec!'"));
            if (dpTypes.get(i) != 0 && dpTypes.get(i) != 1) v.add(new RuleViolation(10, i, "dp_types_enc is " + dpTypes.get(i) + "; the runtime stops with 'Wrong dp_type!'"));
            if (ckpt.get(i) != 0 && ckpt.get(i) != 1) v.add(new RuleViolation(10, i, "checkpoint is " + ckpt.get(i) + "; the runtime stops with 'Wrong checkpoint_flag!'"));
            if (useSp.get(i) != 0 && useSp.get(i) != 1) v.add(new RuleViolation(10, i, "use_sp is " + useSp.get(i) + "; the runtime treats it as 0"));
        }
        if (vsp != 0 && vsp != 1) v.add(new RuleViolation(16, -1, "vsp is " + vsp + "; expected 0 or 1"));
        if (embedSdp != 0 && embedSdp != 1) v.add(new RuleViolation(15, -1, "embed_sdp is " + embedSdp + "; expected 0 or 1"));
        return new Loaded(plan, v);
    }

    private static List<Integer> ones(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(1);
        return l;
    }

    private static List<Integer> ones0(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(0);
        return l;
    }

    private static int intField(Path file, ObjectNode j, String key, boolean required, int dflt, List<RuleViolation> v) {
        JsonNode node = j.get(key);
        if (node == null) {
            if (required) throw new InputFileException(file, key, "missing; expected an integer (the runtime stops with KeyError)");
            return dflt;
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToInt()) throw new InputFileException(file, key, "expected an integer, found " + node.asText() + " (too large)");
            return node.asInt();
        }
        if (node.isTextual()) {
            try {
                int x = Integer.parseInt(node.asText().trim());
                v.add(new RuleViolation(3, -1, key + " is the string \"" + node.asText() + "\"; the runtime needs a JSON integer"));
                return x;
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new InputFileException(file, key, "expected an integer, found " + JsonFiles.kind(node));
    }

    private static List<Integer> listField(Path file, ObjectNode j, String key, List<Integer> dflt, boolean required,
                                           List<RuleViolation> v) {
        JsonNode node = j.get(key);
        if (node == null) {
            if (required) throw new InputFileException(file, key, "missing; expected a string of comma-separated integers, one per layer");
            return dflt;
        }
        if (node.isArray()) {
            List<Integer> out = new ArrayList<>();
            if (node.size() > MAX_LAYERS) throw tooMany(file, key, node.size());
            for (JsonNode x : node) {
                if (!x.isIntegralNumber() || !x.canConvertToInt()) throw new InputFileException(file, key, "expected integers, found " + JsonFiles.kind(x));
                out.add(x.asInt());
            }
            v.add(new RuleViolation(2, -1, key + " is a JSON array; the runtime needs a string such as \"1,2,2\""));
            return out;
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToInt()) throw new InputFileException(file, key, "expected an integer, found " + node.asText() + " (too large)");
            return new ArrayList<>(List.of(node.asInt()));
        }
        if (!node.isTextual()) {
            throw new InputFileException(file, key, "expected a string of comma-separated integers, found " + JsonFiles.kind(node));
        }
        String s = node.asText();
        // count before splitting: a hostile file must not make us build millions of entries to refuse them
        long commas = s.chars().filter(ch -> ch == ',').count();
        if (commas + 1 > MAX_LAYERS) throw tooMany(file, key, commas + 1);
        List<Integer> out = new ArrayList<>();
        String[] parts = s.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            try {
                out.add(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                throw new InputFileException(file, key, "item " + (i + 1) + " is '" + p + "'; expected comma-separated integers "
                        + "without brackets, e.g. \"1,2,2\"");
            }
        }
        return out;
    }

    /** The most layers a config may describe (as many as a model may have). */
    public static final int MAX_LAYERS = studio.engine.model.ModelCatalog.MAX_LAYERS;

    private static InputFileException tooMany(Path file, String key, long n) {
        return new InputFileException(file, key, "has " + n + " entries; a plan has at most " + MAX_LAYERS + " layers");
    }

    /** The JSON text, keys in Galvatron's order with indent 4, plus {@code cp_sizes_enc}. */
    public static String toJson(ParallelPlan plan) {
        List<LayerStrategy> ls = plan.layers();
        List<String[]> kv = new ArrayList<>();
        kv.add(new String[] {"pp_deg", String.valueOf(plan.pp())});
        kv.add(new String[] {"tp_sizes_enc", quote(join(ls.stream().map(LayerStrategy::tp).collect(Collectors.toList())))});
        kv.add(new String[] {"tp_consecutive_flags", quote(join(ls.stream().map(LayerStrategy::tpConsecutiveFlag).collect(Collectors.toList())))});
        kv.add(new String[] {"dp_types_enc", quote(join(ls.stream().map(s -> s.isZero3() ? 1 : 0).collect(Collectors.toList())))});
        kv.add(new String[] {"cp_sizes_enc", quote(join(plan.cpSizes()))});
        kv.add(new String[] {"use_sp", quote(join(ls.stream().map(s -> s.isUlysses() ? 1 : 0).collect(Collectors.toList())))});
        kv.add(new String[] {"checkpoint", quote(join(ls.stream().map(s -> s.checkpoint() ? 1 : 0).collect(Collectors.toList())))});
        kv.add(new String[] {"global_bsz", String.valueOf(plan.globalBatch())});
        kv.add(new String[] {"chunks", String.valueOf(plan.chunks())});
        kv.add(new String[] {"pp_division", quote(join(plan.pipelineDivision()))});
        kv.add(new String[] {"pipeline_type", quote(plan.pipelineType().configName())});
        kv.add(new String[] {"default_dp_type", quote(plan.defaultDpType().configName())});
        kv.add(new String[] {"vtp", String.valueOf(plan.vocabTp())});
        kv.add(new String[] {"vsp", plan.vocabUlysses() ? "1" : "0"});
        kv.add(new String[] {"embed_sdp", plan.embedSdp() ? "1" : "0"});
        if (plan.placesExperts()) {
            // an MoE plan's expert layout (the 3.0 runtime's keys; kept so a saved project does not lose it)
            kv.add(new String[] {"ep_sizes_enc", quote(join(plan.experts().stream().map(ExpertPlacement::ep).collect(Collectors.toList())))});
            kv.add(new String[] {"tp_of_ep_sizes_enc", quote(join(plan.experts().stream().map(ExpertPlacement::expertTp).collect(Collectors.toList())))});
        }
        return pythonJson(kv);
    }

    /** Flat key / raw JSON value pairs as Python's {@code json.dump(indent=4)} writes them (what Galvatron's files look like). */
    public static String pythonJson(List<String[]> keyValues) {
        StringBuilder sb = new StringBuilder("{\n");
        for (int i = 0; i < keyValues.size(); i++) {
            sb.append("    \"").append(keyValues.get(i)[0]).append("\": ").append(keyValues.get(i)[1]);
            sb.append(i + 1 < keyValues.size() ? ",\n" : "\n");
        }
        return sb.append("}").toString();
    }

    /**
     * Galvatron's file name (search-engine spec §7.2).
     *
     * @param settleBsz  the fixed batch size, or a value &lt;= 0 for none
     * @param disabled   the names of the disabled dimensions (dp, tp, pp, sdp, ckpt, tpconsec), in that order
     */
    public static String fileName(String modelName, int nodes, int gpusPerNode, int memoryGb, String precision, int settleBsz,
                                  List<String> disabled) {
        StringBuilder sb = new StringBuilder("galvatron_config_").append(modelName).append('_').append(nodes).append("nodes_")
                .append(gpusPerNode).append("gpus_per_node_").append(memoryGb).append("GB_").append(precision);
        if (settleBsz > 0) sb.append("_bsz").append(settleBsz);
        if (!disabled.isEmpty()) sb.append("_[").append(String.join("_", disabled)).append("_off]");
        return sb.append(".json").toString();
    }

    /**
     * What Galvatron's config name says of the run it was searched for (each part null when the name lacks it):
     * {@code galvatron_config_{model}_{N}nodes_{G}gpus_per_node_{M}GB_{precision}[_bsz{B}][_[..._off]].json}.
     */
    public record NameInfo(String model, Integer nodes, Integer gpusPerNode, Integer memoryGb, String precision) {
    }

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(
            "galvatron_config_(?:(.+?)_)?(\\d+)nodes_(\\d+)gpus_per_node(?:_(\\d+)GB)?(?:_(fp32|fp16|bf16))?(?:_.*)?\\.json");

    private static final java.util.regex.Pattern MEMORY_IN_NAME = java.util.regex.Pattern.compile("_(\\d+)GB");

    /** The run a config's file name describes; a number with too many digits to be real reads as -1 for the caller to refuse. */
    public static NameInfo nameInfo(String fileName) {
        java.util.regex.Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            java.util.regex.Matcher mem = MEMORY_IN_NAME.matcher(fileName);
            return new NameInfo(null, null, null, mem.find() ? bounded(mem.group(1)) : null, null);
        }
        return new NameInfo(m.group(1), bounded(m.group(2)), bounded(m.group(3)), m.group(4) == null ? null : bounded(m.group(4)), m.group(5));
    }

    /** A number of a file name, or -1 when it has too many digits to be one (the caller names the file). */
    private static Integer bounded(String digits) {
        return digits.length() > 9 ? -1 : Integer.valueOf(digits);
    }

    public static void write(Path file, ParallelPlan plan) throws IOException {
        JsonFiles.writeAtomically(file, toJson(plan));
    }

    private static String join(List<Integer> xs) {
        return xs.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
