package studio.engine.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Re-keys profiles of Galvatron's older layout (the shipped llama/gpt files) into the v2 layout the v2 search reads
 * (search-engine spec §2.8). No measured value changes; keys gain their sequence level.
 */
public final class LegacyProfileConverter {
    private static final Pattern LAYER_BSZ = Pattern.compile("layertype_(\\d+)_bsz(\\d+)");
    private static final Pattern OTHER_BSZ = Pattern.compile("layertype_other(?:_\\d+)?_bsz(\\d+)");
    private static final Pattern LAYERNUM = Pattern.compile("(layernum\\[[^\\]]*\\])_bsz(\\d+)");

    private LegacyProfileConverter() {
    }

    /**
     * @param measuredBsz the batch size the unsuffixed {@code layertype_0} value was measured at; its keys come first,
     *                    so Galvatron's static mode (first key wins) reads that batch size
     * @param otherTimeMs the "other" forward time per sample when the file has none (null: fail if missing)
     */
    public static ObjectNode computation(Path file, int seq, int measuredBsz, Double otherTimeMs) {
        ObjectNode in = JsonFiles.readObject(file);
        ObjectNode first = JsonFiles.mapper().createObjectNode();
        ObjectNode rest = JsonFiles.mapper().createObjectNode();
        boolean other = false;
        boolean layer = false;
        for (Map.Entry<String, JsonNode> e : in.properties()) {
            String k = e.getKey();
            if (k.contains("_seq")) {
                throw new InputFileException(file, k, "already in the v2 layout (sequence-tagged keys)");
            }
            Matcher m;
            String key;
            int bsz;
            if ((m = LAYER_BSZ.matcher(k)).matches()) {
                key = "layertype_" + m.group(1) + "_bsz" + m.group(2) + "_seq" + seq;
                bsz = batch(file, k, m.group(2));
                layer = true;
            } else if ((m = OTHER_BSZ.matcher(k)).matches()) {
                key = "layertype_other_bsz" + m.group(1) + "_seq" + seq;
                bsz = batch(file, k, m.group(1));
                other = true;
            } else if ((m = LAYERNUM.matcher(k)).matches()) {
                key = m.group(1) + "_bsz" + m.group(2) + "_seq" + seq;
                bsz = -1;
            } else if (k.matches("layertype_\\d+")) {
                key = k + "_bsz" + measuredBsz + "_seq" + seq;
                bsz = measuredBsz;
                layer = true;
                if (in.has(k + "_bsz" + measuredBsz)) continue; // the suffixed measurement wins
            } else {
                throw new InputFileException(file, k, "not a key of Galvatron's older computation-profile layout");
            }
            JsonFiles.positive(file, k, e.getValue(), "a forward time in ms");
            (bsz == measuredBsz ? first : rest).set(key, e.getValue());
        }
        if (!layer) throw new InputFileException(file, "layertype_0", "missing; no per-layer forward time to convert");
        if (!other) {
            if (otherTimeMs == null) {
                throw new InputFileException(file, "layertype_other_0_bsz" + measuredBsz,
                        "missing; this file has no embedding/head time: give --other_time_ms");
            }
            first.put("layertype_other_bsz" + measuredBsz + "_seq" + seq, otherTimeMs);
        }
        ObjectNode out = JsonFiles.mapper().createObjectNode();
        out.setAll(sortLayerFirst(first));
        out.setAll(rest);
        return out;
    }

    private static int batch(Path file, String key, String digits) {
        if (digits.length() > 6 || Integer.parseInt(digits) < 1) throw new InputFileException(file, key, "expected a batch size of 1 to 999999");
        return Integer.parseInt(digits);
    }

    private static ObjectNode sortLayerFirst(ObjectNode node) {
        ObjectNode out = JsonFiles.mapper().createObjectNode();
        List<String> others = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().startsWith("layertype_other")) others.add(e.getKey());
            else out.set(e.getKey(), e.getValue());
        }
        for (String k : others) out.set(k, node.get(k));
        return out;
    }

    public static ObjectNode memory(Path file, int seq) {
        ObjectNode in = JsonFiles.readObject(file);
        ObjectNode out = JsonFiles.mapper().createObjectNode();
        for (Map.Entry<String, JsonNode> e : in.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.matches("layertype_\\d+(_sp)?")) {
                if (!(v instanceof ObjectNode o) || !o.has("parameter_size")) {
                    throw new InputFileException(file, k, "expected {parameter_size, tp_activation_per_bsz_dict} (older layout)");
                }
                JsonFiles.nonNegative(file, k + ".parameter_size", o.get("parameter_size"), "parameters in MB");
                if (!(o.get("tp_activation_per_bsz_dict") instanceof ObjectNode act)) {
                    throw new InputFileException(file, k + ".tp_activation_per_bsz_dict", "expected an object of MB per sample by TP degree");
                }
                act.properties().forEach(a -> JsonFiles.nonNegative(file, k + ".tp_activation_per_bsz_dict." + a.getKey(), a.getValue(), "MB per sample"));
                ObjectNode wrapped = JsonFiles.mapper().createObjectNode();
                wrapped.set(String.valueOf(seq), v);
                out.set(k, wrapped);
            } else if (k.startsWith("other_memory_pp_")) {
                if (!(v instanceof ObjectNode o) || !o.has("model_states") || !o.has("activation")) {
                    throw new InputFileException(file, k, "expected {model_states, activation} (older layout)");
                }
                ObjectNode conv = JsonFiles.mapper().createObjectNode();
                for (String part : new String[] {"model_states", "activation"}) {
                    JsonNode p = o.get(part);
                    if (p instanceof ObjectNode byTp) {
                        byTp.properties().forEach(t -> JsonFiles.nonNegative(file, k + "." + part + "." + t.getKey(), t.getValue(), "MB"));
                    } else {
                        JsonFiles.nonNegative(file, k + "." + part, p, "MB, or an object of MB by vocabulary TP degree");
                    }
                    if (p.isNumber()) {
                        ObjectNode byTp = JsonFiles.mapper().createObjectNode();
                        byTp.set("1", p); // measured without vocabulary TP
                        conv.set(part, byTp);
                    } else {
                        conv.set(part, p);
                    }
                }
                ObjectNode wrapped = JsonFiles.mapper().createObjectNode();
                wrapped.set(String.valueOf(seq), conv);
                out.set(k, wrapped);
            } else if (v instanceof ObjectNode || v.isNumber()) {
                out.set(k, v); // raw measurement blocks, unused by the search
            } else {
                throw new InputFileException(file, k, "expected a measurement (an object or a number), found " + JsonFiles.kind(v));
            }
        }
        return out;
    }
}
