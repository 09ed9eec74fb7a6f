package studio.engine.profile.v3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the runner's {@code profile-model --layer-parts} measured of one layer that Galvatron's profiler does not
 * (docs/EXPERT_PARALLEL.md, docs/CONTEXT_PARALLEL.md), read from {@code layer_parts_profiling_<precision>_<model>.json} in
 * Galvatron's key style, forward ms at one batch size and length:
 * {@code layertype_0_layer_bsz{b}_seq{s}} the whole layer, {@code layertype_0_ring_bsz{b}_seq{s}_cp{c}} one ring-attention
 * step (S/cp queries against one S/cp K/V block), and for an MoE layer {@code layertype_0_dense_bsz{b}_seq{s}} (attention,
 * norms, router) and {@code layertype_0_expert_tokens{t}} (one expert over t tokens).
 *
 * @param ringStepMs cp → one step's forward ms at the batch size
 * @param denseMs    the MoE layer without its experts, or null for a dense model
 * @param expertMs   one expert over {@code expertTokens} tokens, or null
 */
public record LayerParts(Path file, String device, int batchSize, int seqLength, double layerMs, Map<Integer, Double> ringStepMs, Double denseMs,
                         int expertTokens, Double expertMs) {
    private static final Pattern LAYER = Pattern.compile("layertype_0_layer_bsz(\\d+)_seq(\\d+)");
    private static final Pattern RING = Pattern.compile("layertype_0_ring_bsz(\\d+)_seq(\\d+)_cp(\\d+)");
    private static final Pattern DENSE = Pattern.compile("layertype_0_dense_bsz(\\d+)_seq(\\d+)");
    private static final Pattern EXPERT = Pattern.compile("layertype_0_expert_tokens(\\d+)");

    public LayerParts {
        ringStepMs = Map.copyOf(ringStepMs);
    }

    /** The file's name for a model's profile (Galvatron's computation file's pattern). */
    public static String fileName(String precision, String model) {
        return "layer_parts_profiling_" + precision + "_" + model + ".json";
    }

    /** The profile beside Galvatron's files in {@code dir}, or null when none was measured. */
    public static LayerParts find(Path dir, String precision, String model) {
        if (dir == null) return null;
        Path f = dir.resolve(fileName(precision, model));
        return Files.isRegularFile(f) ? read(f) : null;
    }

    public static LayerParts read(Path file) {
        ObjectNode o = JsonFiles.readObject(file);
        Integer batch = null;
        Integer seq = null;
        double layer = 0;
        Double dense = null;
        Double expert = null;
        int tokens = 0;
        Map<Integer, Double> ring = new TreeMap<>();
        for (var e : JsonFiles.fields(o)) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            Matcher m;
            if ((m = LAYER.matcher(key)).matches()) {
                batch = same(file, key, batch, Integer.parseInt(m.group(1)), "batch size");
                seq = same(file, key, seq, Integer.parseInt(m.group(2)), "sequence length");
                layer = JsonFiles.positive(file, key, v, "the layer's forward ms");
            } else if ((m = RING.matcher(key)).matches()) {
                batch = same(file, key, batch, Integer.parseInt(m.group(1)), "batch size");
                seq = same(file, key, seq, Integer.parseInt(m.group(2)), "sequence length");
                int cp = Integer.parseInt(m.group(3));
                if (cp < 2 || Integer.bitCount(cp) != 1) throw new InputFileException(file, key, "expected a cp degree of 2, 4, 8, ...");
                ring.put(cp, JsonFiles.positive(file, key, v, "one ring step's forward ms"));
            } else if ((m = DENSE.matcher(key)).matches()) {
                batch = same(file, key, batch, Integer.parseInt(m.group(1)), "batch size");
                seq = same(file, key, seq, Integer.parseInt(m.group(2)), "sequence length");
                dense = JsonFiles.positive(file, key, v, "the layer's forward ms without its experts");
            } else if ((m = EXPERT.matcher(key)).matches()) {
                tokens = Integer.parseInt(m.group(1));
                if (tokens < 1) throw new InputFileException(file, key, "expected at least one token");
                expert = JsonFiles.positive(file, key, v, "one expert's forward ms");
            } else if (!key.equals("device") && !key.equals("torch")) {
                throw new InputFileException(file, key, "not a layer-parts key (layertype_0_layer_bsz*_seq*, _ring_..._cp*, _dense_..., _expert_tokens*)");
            }
        }
        if (batch == null || layer == 0) {
            throw new InputFileException(file, "layertype_0_layer_bsz*_seq*", "missing: the whole layer's forward time is what the parts are shares of");
        }
        if ((dense == null) != (expert == null)) {
            throw new InputFileException(file, dense == null ? "layertype_0_dense_bsz*_seq*" : "layertype_0_expert_tokens*",
                    "missing: an MoE layer's profile has both its dense part and one expert");
        }
        return new LayerParts(file, o.path("device").asText(""), batch, seq, layer, ring, dense, tokens, expert);
    }

    private static int same(Path file, String key, Integer seen, int value, String what) {
        if (seen != null && seen != value) throw new InputFileException(file, key, "expected every part at one " + what + " (" + seen + "), found " + value);
        return value;
    }

    public boolean experts() { return expertMs != null; }

    /**
     * The share of the layer's forward that one ring step of a cp-way split overlaps, times cp: what
     * {@code RingAttention.Shape.attentionShare} models from FLOPs, here the mean over the measured degrees of
     * {@code cp x step / layer}; null without ring steps.
     */
    public Double attentionShare() {
        if (ringStepMs.isEmpty()) return null;
        double sum = 0;
        for (var e : ringStepMs.entrySet()) sum += e.getKey() * e.getValue() / layerMs;
        return Math.min(0.95, sum / ringStepMs.size());
    }

    /** The MoE layer's forward without its experts, ms a sample. */
    public double denseMsPerSample() { return denseMs / batchSize; }

    /** One token through one expert, forward, ms. */
    public double expertMsPerAssignment() { return expertMs / expertTokens; }
}
