package studio.engine.estimate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;
import studio.engine.model.LayerType;
import studio.engine.model.ModelDescription;
import studio.engine.profile.OtherMemoryProfile;
import studio.engine.profile.ProfilePaths;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Computation and memory profiles in Galvatron's v2 layout, estimated from a model's shape and a GPU's datasheet
 * ({@link ModelShapes}, {@link Calibration}) instead of measured. Written as Galvatron names them, so every reader,
 * the search and the studio use them as they use measured ones.
 */
public final class ProfileEstimator {
    private static final double MB = 1048576.0;
    private final Calibration calibration;

    public ProfileEstimator(Calibration calibration) {
        this.calibration = calibration;
    }

    private static void check(ModelDescription m) {
        for (LayerType t : m.layerTypes()) {
            if (m.attentionHeads() > 0 && t.hiddenSize() % m.attentionHeads() != 0 && m.layerTypes().size() == 1) {
                throw new IllegalArgumentException(m.name() + ": " + m.attentionHeads() + " attention heads do not divide the hidden size "
                        + t.hiddenSize());
            }
        }
        if (m.attentionHeads() > 0 && m.keyValueHeads() > 0 && m.attentionHeads() % m.keyValueHeads() != 0) {
            throw new IllegalArgumentException(m.name() + ": " + m.keyValueHeads() + " key/value heads do not divide "
                    + m.attentionHeads() + " attention heads");
        }
    }

    private static String seqKey(ModelDescription m) {
        if (m.layerTypes().size() == 1) return String.valueOf(m.layerTypes().get(0).seqLength());
        return m.layerTypes().stream().map(t -> String.valueOf(t.seqLength())).collect(Collectors.joining(",", "[", "]"));
    }

    /** Forward ms per sample of layer type {@code i}. */
    public double layerMs(ModelDescription m, int i, GpuSpec gpu, String precision) {
        LayerType t = m.layerTypes().get(i);
        double peak = gpu.denseTflops(studio.engine.model.Precision.parse(precision)) * 1e12;
        return ModelShapes.layerFlops(m, t) / (peak * calibration.layerEfficiency(m, t.hiddenSize())) * 1e3;
    }

    public double vocabMs(ModelDescription m, GpuSpec gpu, String precision) {
        double peak = gpu.denseTflops(studio.engine.model.Precision.parse(precision)) * 1e12;
        return ModelShapes.vocabFlops(m) / (peak * calibration.vocabEfficiency(m)) * 1e3;
    }

    public ObjectNode computation(ModelDescription m, GpuSpec gpu, String precision) {
        check(m);
        ObjectNode o = JsonFiles.mapper().createObjectNode();
        for (int i = 0; i < m.layerTypes().size(); i++) {
            o.put("layertype_" + i + "_bsz8_seq" + m.layerTypes().get(i).seqLength(), layerMs(m, i, gpu, precision));
        }
        o.put("layertype_other_bsz8_seq" + seqKey(m), vocabMs(m, gpu, precision));
        return o;
    }

    public double parameterMb(ModelDescription m, int i) {
        return ModelShapes.layerParams(m, m.layerTypes().get(i)) * 4 / MB;
    }

    public double activationMb(ModelDescription m, int i, int tp, boolean sequenceParallel) {
        LayerType t = m.layerTypes().get(i);
        return (double) t.seqLength() * t.hiddenSize() * calibration.activationFactor(m, tp, sequenceParallel) / MB;
    }

    /** The checkpointed layer's bf16 input, plus {@link Calibration#checkpointExtraMb()} fitted on A100 measurements. */
    public double checkpointMb(ModelDescription m, int i, boolean sequenceParallel) {
        LayerType t = m.layerTypes().get(i);
        return calibration.checkpointBytes(m, sequenceParallel) * t.seqLength() * t.hiddenSize() / MB + calibration.checkpointExtraMb();
    }

    /** Model states (16 bytes a parameter) of the embedding ([0]) and the head with final norm ([1]), at vocab TP k. */
    public double[] vocabStatesMb(ModelDescription m, int k) {
        double[] p = ModelShapes.vocabParams(m);
        return new double[] {p[0] * 16 / MB * calibration.statesScale() / k, p[1] * 16 / MB * calibration.statesScale() / k};
    }

    public ObjectNode memory(ModelDescription m, int maxTp) {
        check(m);
        ObjectNode o = JsonFiles.mapper().createObjectNode();
        String key = seqKey(m);
        OtherTables other = otherMemory(m, maxTp);
        for (boolean sp : new boolean[] {false, true}) {
            String sfx = sp ? "_sp" : "";
            for (int i = 0; i < m.layerTypes().size(); i++) {
                ObjectNode act = JsonFiles.mapper().createObjectNode();
                for (int t = 1; t <= maxTp; t *= 2) act.put(String.valueOf(t), activationMb(m, i, t, sp));
                act.put("checkpoint", checkpointMb(m, i, sp));
                ObjectNode atSeq = JsonFiles.mapper().createObjectNode();
                atSeq.put("parameter_size", parameterMb(m, i));
                atSeq.set("tp_activation_per_bsz_dict", act);
                ObjectNode entry = JsonFiles.mapper().createObjectNode();
                entry.set(String.valueOf(m.layerTypes().get(i).seqLength()), atSeq);
                o.set("layertype_" + i + sfx, entry);
            }
            o.set("other_memory_pp_off" + sfx, json(key, other.noPipeline()));
            o.set("other_memory_pp_on_first" + sfx, json(key, other.firstStage()));
            o.set("other_memory_pp_on_last" + sfx, json(key, other.lastStage()));
        }
        return o;
    }

    /** The embedding's and the head's memory on an unpipelined, a first and a last stage, per vocabulary TP degree. */
    public record OtherTables(OtherMemoryProfile noPipeline, OtherMemoryProfile firstStage, OtherMemoryProfile lastStage) {
    }

    /**
     * Model states of the embedding and the head ({@link #vocabStatesMb}); activations: the logits {@code 12 S V}
     * bytes on the last stage, the embedding's {@code 10 S h} on the first, both without a pipeline; all over the
     * vocabulary TP degree k.
     */
    public OtherTables otherMemory(ModelDescription m, int maxTp) {
        double s = m.maxSeqLength();
        double logitsMb = 12.0 * s * ModelShapes.vocabRows(m) / MB;
        double embedActMb = 10.0 * s * m.hiddenSize() / MB;
        return new OtherTables(table(maxTp, k -> vocabStatesMb(m, k)[0] + vocabStatesMb(m, k)[1], k -> (logitsMb + embedActMb) / k),
                table(maxTp, k -> vocabStatesMb(m, k)[0], k -> embedActMb / k),
                table(maxTp, k -> vocabStatesMb(m, k)[1], k -> logitsMb / k));
    }

    private static OtherMemoryProfile table(int maxTp, java.util.function.IntToDoubleFunction states, java.util.function.IntToDoubleFunction act) {
        java.util.Map<Integer, Double> ms = new java.util.TreeMap<>();
        java.util.Map<Integer, Double> a = new java.util.TreeMap<>();
        for (int k = 1; k <= maxTp; k *= 2) {
            ms.put(k, states.applyAsDouble(k));
            a.put(k, act.applyAsDouble(k));
        }
        return new OtherMemoryProfile(ms, a);
    }

    private static ObjectNode json(String key, OtherMemoryProfile table) {
        ObjectNode ms = JsonFiles.mapper().createObjectNode();
        ObjectNode a = JsonFiles.mapper().createObjectNode();
        table.modelStatesMb().forEach((k, v) -> ms.put(String.valueOf(k), v));
        table.activationMb().forEach((k, v) -> a.put(String.valueOf(k), v));
        ObjectNode atSeq = JsonFiles.mapper().createObjectNode();
        atSeq.set("model_states", ms);
        atSeq.set("activation", a);
        ObjectNode entry = JsonFiles.mapper().createObjectNode();
        entry.set(key, atSeq);
        return entry;
    }

    /** Writes the model's two profiles, named as Galvatron names them. */
    public List<Path> write(ModelDescription m, GpuSpec gpu, String precision, int maxTp, Path dir) throws IOException {
        Path c = dir.resolve(ProfilePaths.computationFile(precision, m.profileName()));
        Path mem = dir.resolve(ProfilePaths.memoryFile(precision, m.profileName()));
        JsonFiles.writeAtomically(c, computation(m, gpu, precision).toPrettyString());
        JsonFiles.writeAtomically(mem, memory(m, maxTp).toPrettyString());
        return List.of(c, mem);
    }
}
