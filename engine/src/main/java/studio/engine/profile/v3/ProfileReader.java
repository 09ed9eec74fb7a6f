package studio.engine.profile.v3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.OtherMemoryProfile;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads Galvatron 3.0's computation and memory profiles as its search does (v3 spec §2.3 - §2.4; the hardware files are
 * read by {@link studio.engine.profile.HardwareProfile} and viewed through {@link HardwareTables}). Where Galvatron 3.0
 * crashes on its own inputs (one sequence length for a quadratic fit, a missing key), the error names the file, the
 * key and what would work instead.
 */
public final class ProfileReader {
    private static final String LAYER = "layertype_0_";

    private ProfileReader() {
    }

    // ---------------------------------------------------------------- computation (§2.3)

    public static ModelProfile read(Path computationFile, TimeProfileMode timeMode, Path memoryFile,
                                    MemoryProfileMode memoryMode, int seqLength, boolean sequenceParallel) {
        return read(computationFile, JsonFiles.readObject(computationFile), timeMode, memoryFile, JsonFiles.readObject(memoryFile), memoryMode,
                seqLength, sequenceParallel);
    }

    private static ModelProfile read(Path computationFile, ObjectNode time, TimeProfileMode timeMode, Path memoryFile, ObjectNode memory,
                                     MemoryProfileMode memoryMode, int seqLength, boolean sequenceParallel) {
        // the time loaders are v2's for layer type 0 (v3 spec §2.3: identical); only the length matters to them
        studio.engine.profile.ComputationProfile.Resolved t = studio.engine.profile.ComputationProfile.of(computationFile, time)
                .resolve(timeMode, List.of(new studio.engine.model.LayerType(1, seqLength, 1)));
        return memory(memoryFile, memory, memoryMode, seqLength, sequenceParallel, computationFile, t.layerTimes().get(0), t.otherTime());
    }

    /** What {@link #readLenient} read, and the Megatron-SP setting the memory profile was read with. */
    /**
     * @param timeProfiledSeq the sequence length of the static layer time used when none was measured at the searched
     *                        length (the first entry, as Galvatron 3.0 reads it), else null
     */
    public record Lenient(ModelProfile profile, boolean sequenceParallel, Integer timeProfiledSeq) {
    }

    /**
     * The studio's reading where Galvatron 3.0 dies on profiles that still allow a search, each departure added to
     * {@code departures}: sequence time with too few lengths is read as static; a static time measured at another
     * length is used as Galvatron 3.0 uses it and its length returned (the caller words the departure);
     * length is said to be unscaled; a memory profile with only the other kind of Megatron-SP entries is read with
     * those; static memory missing the length is scaled from the profiled ones (sequence mode).
     */
    public static Lenient readLenient(Path computationFile, TimeProfileMode timeMode, Path memoryFile, MemoryProfileMode memoryMode,
                                      int seqLength, boolean sequenceParallel, List<String> departures) {
        ObjectNode time = JsonFiles.readObject(computationFile);
        if (timeMode == TimeProfileMode.SEQUENCE) {
            long lengths = keys(time).filter(k -> k.startsWith(LAYER) && k.contains("_bsz1_")).count();
            if (lengths < 3) {
                departures.add("time_profile_mode sequence needs 3 sequence lengths at batch size 1 and " + computationFile.getFileName() + " has "
                        + lengths + " (Galvatron 3.0 dies in curve_fit): timed with static, its first profiled entry");
                timeMode = TimeProfileMode.STATIC;
            }
        }
        String seqTag = "_seq" + seqLength;
        Integer profiledSeq = null;
        if (timeMode == TimeProfileMode.STATIC && keys(time).noneMatch(k -> k.startsWith(LAYER) && (k.endsWith(seqTag) || k.contains(seqTag + "_")))) {
            // the caller says what it does with it (scales it by the layer's FLOPs where it knows the shape)
            profiledSeq = keys(time).filter(k -> k.startsWith(LAYER)).map(k -> java.util.regex.Pattern.compile("_seq(\\d+)").matcher(k))
                    .filter(java.util.regex.Matcher::find).map(m -> Integer.valueOf(m.group(1))).findFirst().orElse(null);
        }
        ObjectNode memory = JsonFiles.readObject(memoryFile);
        String group = "layertype_0" + (sequenceParallel ? "_sp" : "");
        String other = "layertype_0" + (sequenceParallel ? "" : "_sp");
        if (!memory.has(group) && memory.has(other)) {
            departures.add(memoryFile.getFileName() + " has only " + other + " entries (Galvatron 3.0 stops with KeyError '" + group
                    + "'): costed with common_train_info.sequence_parallel=" + !sequenceParallel);
            sequenceParallel = !sequenceParallel;
            group = other;
        }
        if (memoryMode == MemoryProfileMode.STATIC && memory.path(group).isObject() && !memory.get(group).has(Integer.toString(seqLength))
                && sequenceParallel) {
            departures.add(memoryFile.getFileName() + " has no entry at sequence length " + seqLength + " (Galvatron 3.0 stops with KeyError "
                    + seqLength + "): memory scaled from the profiled lengths (memory_profile_mode sequence)");
            memoryMode = MemoryProfileMode.SEQUENCE;
        }
        return new Lenient(read(computationFile, time, timeMode, memoryFile, memory, memoryMode, seqLength, sequenceParallel), sequenceParallel,
                profiledSeq);
    }

    private static java.util.stream.Stream<String> keys(ObjectNode root) {
        return java.util.stream.StreamSupport.stream(((Iterable<String>) root::fieldNames).spliterator(), false);
    }

    // ---------------------------------------------------------------- memory (§2.4)

    private static ModelProfile memory(Path file, ObjectNode root, MemoryProfileMode mode, int seq, boolean sequenceParallel,
                                       Path computationFile, ForwardTime layer, ForwardTime other) {
        String suffix = sequenceParallel ? "_sp" : "";
        String layerKey = "layertype_0" + suffix;
        ObjectNode layers = group(file, root, layerKey, sequenceParallel);
        ObjectNode offRoot = group(file, root, "other_memory_pp_off" + suffix, sequenceParallel);
        ObjectNode firstRoot = group(file, root, "other_memory_pp_on_first" + suffix, sequenceParallel);
        ObjectNode lastRoot = group(file, root, "other_memory_pp_on_last" + suffix, sequenceParallel);
        if (mode == MemoryProfileMode.STATIC) {
            String s = Integer.toString(seq);
            ObjectNode at = bySeq(file, layers, layerKey, s, "memory_profile_mode static reads the profile at exactly the searched sequence length; use memory_profile_mode sequence to scale from "
                    + seqList(layers));
            double param = JsonFiles.nonNegative(file, layerKey + "." + s + ".parameter_size", at.get("parameter_size"), "parameter memory in MB");
            Map<Integer, Double> act = new LinkedHashMap<>();
            double ckpt = activations(file, layerKey + "." + s, at, act, 1.0, 1);
            return new ModelProfile(computationFile, layer, other, file, suffix, param, act, ckpt,
                    other(file, offRoot, "other_memory_pp_off" + suffix, s, null, 1, 1),
                    other(file, firstRoot, "other_memory_pp_on_first" + suffix, s, null, 1, 1),
                    other(file, lastRoot, "other_memory_pp_on_last" + suffix, s, null, 1, 1));
        }
        if (!sequenceParallel) {
            throw new InputFileException(file, "common_train_info.sequence_parallel", "memory_profile_mode sequence needs sequence_parallel true (Galvatron 3.0 asserts it)");
        }
        TreeSet<Integer> lengths = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(layers)) {
            if (e.getKey().matches("\\d+")) lengths.add(Integer.parseInt(e.getKey()));
        }
        if (lengths.isEmpty()) throw new InputFileException(file, layerKey, "holds no sequence lengths; expected {\"2048\": {...}, ...}");
        String max = Integer.toString(lengths.last());
        String min = Integer.toString(lengths.first());
        int sMax = lengths.last();
        ObjectNode atMin = bySeq(file, layers, layerKey, min, "");
        ObjectNode atMax = bySeq(file, layers, layerKey, max, "");
        double param = JsonFiles.nonNegative(file, layerKey + "." + min + ".parameter_size", atMin.get("parameter_size"), "parameter memory in MB");
        Map<Integer, Double> act = new LinkedHashMap<>();
        double ckpt = activations(file, layerKey + "." + max, atMax, act, sMax, seq);
        OtherMemoryProfile off = other(file, offRoot, "other_memory_pp_off_sp", max, null, sMax, seq);
        Set<Integer> scaled = off.activationMb().keySet();
        return new ModelProfile(computationFile, layer, other, file, suffix, param, act, ckpt, off,
                other(file, firstRoot, "other_memory_pp_on_first_sp", max, scaled, sMax, seq),
                other(file, lastRoot, "other_memory_pp_on_last_sp", max, scaled, sMax, seq));
    }

    private static String seqList(ObjectNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return "the profiled lengths " + String.join(", ", keys);
    }

    private static ObjectNode group(Path file, ObjectNode root, String key, boolean sequenceParallel) {
        JsonNode v = root.get(key);
        if (v instanceof ObjectNode o) return o;
        if (v != null) throw new InputFileException(file, key, "expected an object, found " + JsonFiles.kind(v));
        String other = sequenceParallel ? key.replace("_sp", "") : key + "_sp";
        String hint = root.has(other)
                ? "; the file holds '" + other + "' instead: set common_train_info.sequence_parallel=" + !sequenceParallel
                : root.has("layertype_0") || root.has("layertype_0_sp") ? "" : "; it holds only raw measurements (is it the post-processed *_all.json profile?)";
        throw new InputFileException(file, key, "missing (sequence_parallel is " + sequenceParallel + ")" + hint);
    }

    private static ObjectNode bySeq(Path file, ObjectNode group, String groupKey, String seq, String hint) {
        JsonNode v = group.get(seq);
        if (v instanceof ObjectNode o) return o;
        if (v != null) throw new InputFileException(file, groupKey + "." + seq, "expected an object, found " + JsonFiles.kind(v));
        throw new InputFileException(file, groupKey + "." + seq, "missing: no entry for sequence length " + seq + (hint.isEmpty() ? "" : "; " + hint));
    }

    /** Fills {@code act} with {@code (v / sMax) * seq} per TP degree (Galvatron's order); returns the checkpoint entry. */
    private static double activations(Path file, String context, ObjectNode at, Map<Integer, Double> act, double sMax, int seq) {
        String key = context + ".tp_activation_per_bsz_dict";
        JsonNode dict = at.get("tp_activation_per_bsz_dict");
        if (!(dict instanceof ObjectNode d)) throw new InputFileException(file, key, dict == null ? "missing" : "expected an object, found " + JsonFiles.kind(dict));
        Double ckpt = null;
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(d)) {
            double v = JsonFiles.nonNegative(file, key + "." + e.getKey(), e.getValue(), "activation memory in MB per sample");
            double scaled = sMax == 1.0 && seq == 1 ? v : v / sMax * seq;
            if (e.getKey().equals("checkpoint")) ckpt = scaled;
            else if (e.getKey().matches("\\d+")) act.put(Integer.parseInt(e.getKey()), scaled);
        }
        if (ckpt == null) throw new InputFileException(file, key + ".checkpoint", "missing; expected the checkpointed activation in MB per sample");
        return ckpt;
    }

    private static OtherMemoryProfile other(Path file, ObjectNode group, String groupKey, String seq, Set<Integer> scaleKeys, int sMax, int s) {
        ObjectNode at = bySeq(file, group, groupKey, seq, "");
        Map<Integer, Double> states = byDegree(file, groupKey + "." + seq + ".model_states", at.get("model_states"), null, 1, 1);
        Map<Integer, Double> act = byDegree(file, groupKey + "." + seq + ".activation", at.get("activation"),
                scaleKeys, sMax, s);
        if (scaleKeys != null) {
            for (Integer k : scaleKeys) {
                if (!act.containsKey(k)) {
                    throw new InputFileException(file, groupKey + "." + seq + ".activation." + k, "missing; other_memory_pp_off has TP degree " + k
                            + " and Galvatron scales the same degree on every stage");
                }
            }
        }
        return new OtherMemoryProfile(states, act);
    }

    /**
     * Entries by integer TP degree. With {@code sMax > 1}, the degrees in {@code only} (all, when null) are scaled to
     * the searched length as {@code (v / sMax) * s}; the others stay as measured (Galvatron's sequence mode).
     */
    private static Map<Integer, Double> byDegree(Path file, String key, JsonNode node, Set<Integer> only, int sMax, int s) {
        if (!(node instanceof ObjectNode o)) throw new InputFileException(file, key, node == null ? "missing" : "expected an object, found " + JsonFiles.kind(node));
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(o)) {
            if (!e.getKey().matches("\\d+")) continue;
            int k = Integer.parseInt(e.getKey());
            double v = JsonFiles.nonNegative(file, key + "." + e.getKey(), e.getValue(), "memory in MB");
            boolean scale = sMax > 1 && (only == null || only.contains(k));
            out.put(k, scale ? v / sMax * s : v);
        }
        return out;
    }

}
