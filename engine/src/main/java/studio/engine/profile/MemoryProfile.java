package studio.engine.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;
import studio.engine.model.LayerType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A memory profile in the v2 layout (sequence-keyed) or the older one (no sequence level, scalar non-SP
 * "other" memory), with or without the Megatron-SP ({@code _sp}) variants.
 */
public final class MemoryProfile {
    private final Path file;
    private final ObjectNode json;

    private MemoryProfile(Path file, ObjectNode json) {
        this.file = file;
        this.json = json;
    }

    public static MemoryProfile read(Path file) {
        ObjectNode json = JsonFiles.readObject(file);
        if (json.properties().stream().noneMatch(e -> e.getKey().startsWith("layertype_"))) {
            throw new InputFileException(file, "layertype_0", "no layertype_* key; not a memory profile");
        }
        return new MemoryProfile(file, json);
    }

    public Path file() { return file; }

    /** Whether the profile has layer entries measured with (true) or without (false) Megatron sequence parallelism. */
    public boolean hasVariant(boolean sequenceParallel) {
        return json.has("layertype_0" + (sequenceParallel ? "_sp" : ""));
    }

    /** What the cost model needs, loaded as Galvatron's search loads it. */
    public record Resolved(List<LayerMemoryProfile> layers, OtherMemoryProfile otherPpOff,
                           OtherMemoryProfile otherFirstStage, OtherMemoryProfile otherLastStage) {
        public Resolved {
            layers = List.copyOf(layers);
        }
    }

    public Resolved resolve(MemoryProfileMode mode, boolean sequenceParallel, List<LayerType> types, int worldSize) {
        Resolved r = mode == MemoryProfileMode.STATIC ? resolveStatic(sequenceParallel, types) : resolveSequence(sequenceParallel, types);
        return sequenceParallel ? fillMissingTpKeys(r, worldSize) : r;
    }

    private Resolved resolveStatic(boolean sp, List<LayerType> types) {
        String sfx = sp ? "_sp" : "";
        List<LayerMemoryProfile> layers = new ArrayList<>();
        if (!json.has("layertype_0" + sfx) && json.has("layertype_0" + (sp ? "" : "_sp"))) {
            throw new InputFileException(file, "layertype_0" + sfx, sp
                    ? "missing: this profile was measured without Megatron sequence parallelism; drop --sequence_parallel"
                    : "missing: this profile was measured with Megatron sequence parallelism (layertype_0_sp); pass --sequence_parallel");
        }
        for (int i = 0; i < types.size(); i++) {
            String key = "layertype_" + i + sfx;
            ObjectNode entry = JsonFiles.object(file, json, key, null);
            ObjectNode atSeq = entry.has("parameter_size") ? entry
                    : seqLevel(entry, String.valueOf(types.get(i).seqLength()), key);
            layers.add(layer(atSeq, key + "." + types.get(i).seqLength()));
        }
        String otherKey = types.size() == 1 ? String.valueOf(types.get(0).seqLength())
                : types.stream().map(t -> String.valueOf(t.seqLength())).reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElseThrow();
        return new Resolved(layers,
                other("other_memory_pp_off" + sfx, otherKey),
                other("other_memory_pp_on_first" + sfx, otherKey),
                other("other_memory_pp_on_last" + sfx, otherKey));
    }

    private Resolved resolveSequence(boolean sp, List<LayerType> types) {
        if (!sp) {
            throw new InputFileException(file, "--memory_profile_mode", "sequence mode needs --sequence_parallel (Galvatron only "
                    + "profiles the _sp variants over sequence lengths)");
        }
        if (types.size() != 1) {
            throw new InputFileException(file, "--memory_profile_mode", "sequence mode supports one layer type, the model has " + types.size());
        }
        ObjectNode entry = JsonFiles.object(file, json, "layertype_0_sp", null);
        TreeSet<Integer> seqs = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(entry)) {
            try {
                seqs.add(Integer.parseInt(e.getKey()));
            } catch (NumberFormatException ex) {
                throw new InputFileException(file, "layertype_0_sp." + e.getKey(), "expected sequence-length keys in sequence mode");
            }
        }
        if (seqs.isEmpty()) throw new InputFileException(file, "layertype_0_sp", "no sequence-length entries");
        int smin = seqs.first();
        int smax = seqs.last();
        double s0 = types.get(0).seqLength();
        LayerMemoryProfile minEntry = layer(seqLevel(entry, String.valueOf(smin), "layertype_0_sp"), "layertype_0_sp." + smin);
        LayerMemoryProfile maxEntry = layer(seqLevel(entry, String.valueOf(smax), "layertype_0_sp"), "layertype_0_sp." + smax);
        Map<Integer, Double> act = new TreeMap<>();
        maxEntry.activationPerSampleMb().forEach((k, v) -> act.put(k, v * s0 / smax));
        LayerMemoryProfile layer = new LayerMemoryProfile(minEntry.parameterSizeMb(), act,
                maxEntry.checkpointActivationMb() * s0 / smax);
        String key = String.valueOf(smax);
        OtherMemoryProfile off = other("other_memory_pp_off_sp", key);
        OtherMemoryProfile first = other("other_memory_pp_on_first_sp", key);
        OtherMemoryProfile last = other("other_memory_pp_on_last_sp", key);
        Map<Integer, Double> offAct = new TreeMap<>(off.activationMb());
        Map<Integer, Double> firstAct = new TreeMap<>(first.activationMb());
        Map<Integer, Double> lastAct = new TreeMap<>(last.activationMb());
        for (Integer tp : off.activationMb().keySet()) {
            offAct.put(tp, offAct.get(tp) * s0 / smax);
            if (firstAct.containsKey(tp)) firstAct.put(tp, firstAct.get(tp) * s0 / smax);
            if (lastAct.containsKey(tp)) lastAct.put(tp, lastAct.get(tp) * s0 / smax);
        }
        return new Resolved(List.of(layer), new OtherMemoryProfile(off.modelStatesMb(), offAct),
                new OtherMemoryProfile(first.modelStatesMb(), firstAct), new OtherMemoryProfile(last.modelStatesMb(), lastAct));
    }

    private ObjectNode seqLevel(ObjectNode entry, String seq, String context) {
        JsonNode v = entry.get(seq);
        if (v == null) {
            List<String> have = new ArrayList<>();
            entry.properties().forEach(e -> have.add(e.getKey()));
            throw new InputFileException(file, context + "." + seq, "missing; the profile has sequence lengths " + have
                    + " (profile the model at this sequence length, or pass --set_seqlen_manually 1 --seq_length S)");
        }
        if (!(v instanceof ObjectNode)) throw new InputFileException(file, context + "." + seq, "expected an object, found " + JsonFiles.kind(v));
        return (ObjectNode) v;
    }

    private LayerMemoryProfile layer(ObjectNode node, String context) {
        double param = JsonFiles.nonNegative(file, context + ".parameter_size", node.get("parameter_size"), "parameters in MB");
        ObjectNode actNode = JsonFiles.object(file, node, "tp_activation_per_bsz_dict", context);
        Map<Integer, Double> act = new TreeMap<>();
        Double ckpt = null;
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(actNode)) {
            String k = e.getKey();
            String full = context + ".tp_activation_per_bsz_dict." + k;
            double mb = JsonFiles.nonNegative(file, full, e.getValue(), "MB per sample");
            if (k.equals("checkpoint")) {
                ckpt = mb;
            } else {
                act.put(tpKey(k, full), mb);
            }
        }
        if (ckpt == null) throw new InputFileException(file, context + ".tp_activation_per_bsz_dict.checkpoint", "missing; expected MB per sample");
        if (act.isEmpty()) throw new InputFileException(file, context + ".tp_activation_per_bsz_dict", "no TP-degree entries");
        return new LayerMemoryProfile(param, act, ckpt);
    }

    private OtherMemoryProfile other(String key, String seqKey) {
        ObjectNode entry = JsonFiles.object(file, json, key, null);
        ObjectNode node;
        String ctx;
        if (entry.has("model_states")) {
            node = entry; // older layout: no sequence level
            ctx = key;
        } else {
            JsonNode v = entry.get(seqKey);
            if (v == null && seqKey.startsWith("[")) v = entry.get(seqKey.replace(",", ", "));
            if (!(v instanceof ObjectNode)) {
                List<String> have = new ArrayList<>();
                entry.properties().forEach(e -> have.add(e.getKey()));
                throw new InputFileException(file, key + "." + seqKey, v == null ? "missing; the profile has " + have : "expected an object");
            }
            node = (ObjectNode) v;
            ctx = key + "." + seqKey;
        }
        return new OtherMemoryProfile(tpMap(node, "model_states", ctx), tpMap(node, "activation", ctx));
    }

    private Map<Integer, Double> tpMap(ObjectNode node, String key, String ctx) {
        JsonNode v = node.get(key);
        String full = ctx + "." + key;
        if (v == null) throw new InputFileException(file, full, "missing; expected MB by vocab TP degree");
        Map<Integer, Double> out = new TreeMap<>();
        if (v.isNumber()) {
            // Older non-SP layout: one value, measured without vocabulary TP.
            out.put(1, JsonFiles.nonNegative(file, full, v, "MB"));
            return out;
        }
        if (!v.isObject()) throw new InputFileException(file, full, "expected a number or an object keyed by TP degree, found " + JsonFiles.kind(v));
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields((ObjectNode) v)) {
            out.put(tpKey(e.getKey(), full + "." + e.getKey()), JsonFiles.nonNegative(file, full + "." + e.getKey(), e.getValue(), "MB"));
        }
        return out;
    }

    private int tpKey(String k, String full) {
        try {
            return Integer.parseInt(k);
        } catch (NumberFormatException e) {
            throw new InputFileException(file, full, "expected a TP degree (an integer) as key");
        }
    }

    /** Galvatron's SP loading fills a missing TP key with the next lower key's value halved. */
    private static Resolved fillMissingTpKeys(Resolved r, int worldSize) {
        List<LayerMemoryProfile> layers = new ArrayList<>();
        for (LayerMemoryProfile l : r.layers()) {
            layers.add(new LayerMemoryProfile(l.parameterSizeMb(), halveUp(l.activationPerSampleMb(), worldSize), l.checkpointActivationMb()));
        }
        return new Resolved(layers, fill(r.otherPpOff(), worldSize), fill(r.otherFirstStage(), worldSize), fill(r.otherLastStage(), worldSize));
    }

    private static OtherMemoryProfile fill(OtherMemoryProfile o, int worldSize) {
        return new OtherMemoryProfile(halveUp(o.modelStatesMb(), worldSize), halveUp(o.activationMb(), worldSize));
    }

    private static Map<Integer, Double> halveUp(Map<Integer, Double> m, int worldSize) {
        Map<Integer, Double> out = new TreeMap<>(m);
        for (int k = 2; k <= Math.max(8, worldSize); k *= 2) {
            if (!out.containsKey(k) && out.containsKey(k / 2)) out.put(k, out.get(k / 2) / 2);
        }
        return out;
    }
}
