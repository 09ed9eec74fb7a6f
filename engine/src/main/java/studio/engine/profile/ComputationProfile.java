package studio.engine.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;
import studio.engine.model.LayerType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A computation (forward time) profile, v2 ({@code layertype_{i}_bsz{b}_seq{S}}) or older
 * ({@code layertype_0_bsz8}, {@code layertype_other_0_bsz8}, {@code layertype_0}) layout, in file order.
 */
public final class ComputationProfile {
    private static final Pattern BSZ = Pattern.compile("_bsz(\\d+)");
    private final Path file;
    private final Map<String, Double> values;

    private ComputationProfile(Path file, Map<String, Double> values) {
        this.file = file;
        this.values = values;
    }

    public static ComputationProfile read(Path file) {
        return of(file, JsonFiles.readObject(file));
    }

    /** The profile held in {@code json}, read from {@code file} (named in errors). */
    public static ComputationProfile of(Path file, ObjectNode json) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(json)) {
            // the embedding/head time is a difference of two measurements: on a small model it can come out as 0
            values.put(e.getKey(), e.getKey().startsWith("layertype_other")
                    ? JsonFiles.nonNegative(file, e.getKey(), e.getValue(), "a time in ms")
                    : JsonFiles.positive(file, e.getKey(), e.getValue(), "a time in ms"));
        }
        boolean any = values.keySet().stream().anyMatch(k -> k.startsWith("layertype_"));
        if (!any) throw new InputFileException(file, "layertype_0_bsz{b}_seq{S}", "no layertype_* key; not a computation profile");
        return new ComputationProfile(file, values);
    }

    public Path file() { return file; }

    public Map<String, Double> values() { return values; }

    /** Per-layer-type forward times and the "other" (embedding, head, loss) time, as Galvatron's search loads them. */
    public record Resolved(List<ForwardTime> layerTimes, ForwardTime otherTime) {
        public Resolved {
            layerTimes = List.copyOf(layerTimes);
        }
    }

    public Resolved resolve(TimeProfileMode mode, List<LayerType> types) {
        switch (mode) {
            case STATIC: return resolveStatic(types);
            case BATCH: return resolveBatch(types);
            case SEQUENCE: return resolveSequence(types);
            default: throw new IllegalStateException();
        }
    }

    private Resolved resolveStatic(List<LayerType> types) {
        // Galvatron appends every matching key of every type to ONE list and takes its i-th element (quirk Q10),
        // and the first "other" key wins whatever its batch size or sequence length.
        List<Double> timeList = new ArrayList<>();
        List<Double> otherList = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            boolean found = false;
            for (Map.Entry<String, Double> e : values.entrySet()) {
                if (e.getKey().startsWith("layertype_" + i + "_")) {
                    timeList.add(e.getValue());
                    found = true;
                }
                if (e.getKey().startsWith("layertype_other_")) otherList.add(e.getValue());
            }
            if (!found && values.containsKey("layertype_" + i)) timeList.add(values.get("layertype_" + i)); // oldest layout
        }
        List<ForwardTime> layer = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            if (i >= timeList.size()) {
                throw new InputFileException(file, "layertype_" + i + "_bsz{b}_seq" + types.get(i).seqLength(),
                        "missing; expected the forward time per sample of layer type " + i);
            }
            layer.add(ForwardTime.perSample(timeList.get(i)));
        }
        if (otherList.isEmpty()) {
            throw new InputFileException(file, "layertype_other_bsz{b}_seq{S}", "missing; expected the forward time of the "
                    + "non-layer modules (embedding, head, loss)");
        }
        return new Resolved(layer, ForwardTime.perSample(otherList.get(0)));
    }

    private Resolved resolveBatch(List<LayerType> types) {
        List<ForwardTime> layer = new ArrayList<>();
        List<ForwardTime> others = new ArrayList<>();
        // Several layer types key "other" by all their lengths (T5: layertype_other_bsz1_seq[512,512]); Galvatron v2
        // looks for _seq{S_i} there and finds nothing, so it cannot run batch mode on its own T5 profile. We read both.
        String allSeqs = "_seq[" + String.join(",", types.stream().map(t -> Integer.toString(t.seqLength())).toList()) + "]";
        for (int i = 0; i < types.size(); i++) {
            int seq = types.get(i).seqLength();
            layer.add(batchFit("layertype_" + i + "_", List.of("_seq" + seq), "layertype_" + i + "_bsz{b}_seq" + seq));
            List<String> otherTags = types.size() > 1 ? List.of("_seq" + seq, allSeqs) : List.of("_seq" + seq);
            others.add(batchFit("layertype_other_", otherTags, "layertype_other_bsz{b}" + (types.size() > 1 ? allSeqs : "_seq" + seq)));
        }
        return new Resolved(layer, others.get(0));
    }

    private ForwardTime batchFit(String prefix, List<String> seqTags, String keyPattern) {
        List<double[]> pts = new ArrayList<>();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(prefix) && seqTags.stream().anyMatch(k::contains)) {
                // Galvatron: bsz = int(key.split('_')[-2][3:]); total ms of the batch = value * bsz
                String[] parts = k.split("_");
                int b = parseInt(parts[parts.length - 2].substring(3), k);
                pts.add(new double[] {b, e.getValue() * b});
            }
        }
        if (pts.isEmpty()) {
            // Older layout without sequence tags: layertype_0_bsz{b} and layertype_other_0_bsz{b}.
            for (Map.Entry<String, Double> e : values.entrySet()) {
                String k = e.getKey();
                if (k.startsWith(prefix) && !k.contains("_seq")) {
                    Matcher m = BSZ.matcher(k);
                    if (m.find() && m.end() == k.length()) {
                        int b = parseInt(m.group(1), k);
                        pts.add(new double[] {b, e.getValue() * b});
                    }
                }
            }
        }
        if (pts.size() < 8) {
            throw new InputFileException(file, keyPattern, "batch mode needs at least 8 batch sizes, found " + pts.size());
        }
        double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
        double[] c = LeastSquares.polyfit(x, y, 1);
        return ForwardTime.linear(c[1], c[0]);
    }

    private Resolved resolveSequence(List<LayerType> types) {
        List<ForwardTime> layer = new ArrayList<>();
        List<ForwardTime> others = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            int seq = types.get(i).seqLength();
            layer.add(ForwardTime.perSample(sequenceFit("layertype_" + i + "_", 2, seq, "layertype_" + i + "_bsz1_seq{S}")));
            others.add(ForwardTime.perSample(sequenceFit("layertype_other_", 1, seq, "layertype_other_bsz1_seq{S}")));
        }
        return new Resolved(layer, others.get(0));
    }

    private double sequenceFit(String prefix, int degree, int atSeq, String keyPattern) {
        List<double[]> pts = new ArrayList<>();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(prefix) && k.contains("_bsz1_")) {
                String[] bySeq = k.split("seq", -1);
                String s = bySeq[bySeq.length - 1];
                pts.add(new double[] {parseInt(s, k), e.getValue()});
            }
        }
        if (pts.size() < degree + 1) {
            throw new InputFileException(file, keyPattern, "time_profile_mode sequence fits a " + (degree == 2 ? "quadratic" : "line")
                    + " over sequence lengths and needs at least " + (degree + 1) + " of them at batch size 1, found " + pts.size()
                    + " (Galvatron dies in curve_fit here); use time_profile_mode static or batch, or profile more sequence lengths");
        }
        double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
        return LeastSquares.eval(LeastSquares.polyfit(x, y, degree), atSeq);
    }

    private int parseInt(String s, String key) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InputFileException(file, key, "cannot read a number from '" + s + "' in the key name");
        }
    }
}
