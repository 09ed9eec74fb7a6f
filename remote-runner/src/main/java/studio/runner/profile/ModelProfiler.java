package studio.runner.profile;

import studio.engine.protocol.RunnerEvent;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.estimate.Calibration;
import studio.engine.estimate.ProfileEstimator;
import studio.engine.io.JsonFiles;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.profile.ProfilePaths;
import studio.runner.djl.DecoderStack;
import studio.runner.events.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Galvatron's model profiler, on DJL's PyTorch engine: the forward time of the whole model at two layer counts for
 * every (batch size, sequence length) of the profile mode, differenced into per-layer and "other" time exactly as
 * Galvatron's post-processing does (profiler-runtime.md §2.2); and the layer's memory, parameter size from its real
 * arrays and activation from the tensors its backward keeps (§2.3). The embedding/head terms, which need ZeRO across
 * GPUs to measure, come from the studio's analytic model. Every measurement is saved as it completes, so an
 * interrupted profile resumes where it stopped.
 */
public final class ModelProfiler {
    private static final double MB = 1048576.0;

    /** Galvatron's {@code --profile_mode}. */
    public enum Mode {
        STATIC, BATCH, SEQUENCE;

        public static Mode parse(String s) {
            for (Mode m : values()) if (m.name().equalsIgnoreCase(s)) return m;
            throw new IllegalArgumentException("--profile-mode: expected static, batch or sequence, got '" + s + "'");
        }
    }

    public record Request(Path modelConfig, String modelName, Path outputDir, Mode mode, int batchSize, int minBatch, int maxBatch,
                          int batchStep, List<Integer> seqList, int minSeq, int maxSeq, int seqStep, int maxTp, String precision,
                          int layernumMin, int layernumMax, int warmup, int iters, String device, String engine, String python,
                          boolean resume) {
        /** The same request timed with more iterations (a noisy measurement is taken again). */
        Request withIterations(int newWarmup, int newIters) {
            return new Request(modelConfig, modelName, outputDir, mode, batchSize, minBatch, maxBatch, batchStep, seqList, minSeq, maxSeq, seqStep,
                    maxTp, precision, layernumMin, layernumMax, newWarmup, newIters, device, engine, python, resume);
        }

        public Request {
            seqList = List.copyOf(seqList);
            if (!studio.engine.model.Precision.isConfigName(precision)) {
                throw new IllegalArgumentException("--mixed-precision: expected fp32, fp16 or bf16, got '" + precision + "'");
            }
            if (layernumMax <= layernumMin || layernumMin < 1) {
                throw new IllegalArgumentException("--layernum-max must exceed --layernum-min (>= 1), got " + layernumMin + " and " + layernumMax);
            }
            if (iters < 1 || warmup < 0) throw new IllegalArgumentException("--iters must be >= 1 and --warmup >= 0");
            if (Integer.bitCount(maxTp) != 1) throw new IllegalArgumentException("--max-tp must be a power of two, got " + maxTp);
            if (!List.of("auto", "cpu", "gpu").contains(device)) {
                throw new IllegalArgumentException("--device: expected auto, cpu or gpu, got '" + device + "'");
            }
            if (!List.of("auto", "djl", "torch").contains(engine)) {
                throw new IllegalArgumentException("--engine: expected auto, djl or torch, got '" + engine + "'");
            }
        }

        /** The (batch size, sequence length) pairs timed, in Galvatron's order. */
        public List<int[]> timeConfigs() {
            List<int[]> out = new ArrayList<>();
            switch (mode) {
                case STATIC -> out.add(new int[] {batchSize, seqList.get(0)});
                case BATCH -> {
                    for (int b = minBatch; b <= maxBatch; b += batchStep) out.add(new int[] {b, seqList.get(0)});
                }
                case SEQUENCE -> {
                    for (int s = minSeq; s <= maxSeq; s += seqStep) out.add(new int[] {batchSize, s});
                }
            }
            if (out.isEmpty()) throw new IllegalArgumentException("the profile ranges are empty: nothing to measure");
            return out;
        }

        /** Sequence lengths of the memory profile: powers of two from min to max in sequence mode, as Galvatron does. */
        public List<Integer> memorySeqs() {
            if (mode != Mode.SEQUENCE) return List.of(seqList.get(0));
            List<Integer> out = new ArrayList<>();
            for (int s = minSeq; s <= maxSeq; s *= 2) out.add(s);
            return out;
        }
    }

    private ModelProfiler() {
    }

    public static int run(Request r, Consumer<Event> out) throws IOException {
        ModelDescription model = ModelCatalog.read(r.modelConfig());
        if (r.modelName() != null && !r.modelName().isBlank()) {
            model = new ModelDescription(r.modelName(), model.family(), model.layerTypes(), model.hiddenSize(), model.attentionHeads(),
                    model.keyValueHeads(), model.ffnHiddenSize(), model.vocabSize());
        }
        if (model.layerTypes().size() != 1) {
            throw new IllegalArgumentException(r.modelConfig() + ": the model profiler handles single-layer-type decoders; this model has "
                    + model.layerTypes().size() + " layer types");
        }
        if (r.mode() == Mode.SEQUENCE && r.batchSize() != 1) {
            out.accept(Event.of(RunnerEvent.WARNING).put("message", "sequence mode at --profile-batch-size " + r.batchSize()
                    + ": Galvatron's search reads sequence-mode times at batch size 1 (layertype_0_bsz1_seq*)"));
        }
        String which = chooseEngine(r);
        Path work = r.outputDir().resolve(".model-profile");
        Path progressFile = work.resolve("progress.json");
        String identity = model.name() + "|" + model.hiddenSize() + "|" + model.ffnHiddenSize() + "|" + r.precision() + "|" + which
                + "|" + r.device() + "|" + r.layernumMin() + "-" + r.layernumMax();
        ObjectNode progress = loadProgress(progressFile, identity, r.resume(), out);
        ObjectNode times = (ObjectNode) progress.get("times");
        ObjectNode memory = (ObjectNode) progress.get("memory");

        List<int[]> configs = r.timeConfigs();
        List<Integer> memSeqs = r.memorySeqs();
        List<int[]> pendingTimes = new ArrayList<>();
        for (int[] c : configs) {
            for (int layers : new int[] {r.layernumMin(), r.layernumMax()}) {
                if (!times.has(rawKey(layers, c[0], c[1]))) pendingTimes.add(new int[] {layers, c[0], c[1]});
            }
        }
        List<Integer> pendingMemory = memSeqs.stream().filter(q -> !memory.has(String.valueOf(q))).toList();
        int total = configs.size() * 2 + memSeqs.size();
        Recorder rec = new Recorder(progressFile, progress, out, total, total - pendingTimes.size() - pendingMemory.size());
        int actBytes = studio.engine.model.Precision.parse(r.precision()).mixed() ? 2 : 4;
        if (which.equals("torch")) {
            int code = measureWithTorch(r, model, pendingTimes, pendingMemory, actBytes, rec, out);
            if (code != 0) return code;
        } else {
            measureWithDjl(r, model, pendingTimes, pendingMemory, actBytes, rec, out);
        }

        // the layer's time is a difference of two timings: where noise made the deeper model no slower, time that pair
        // again with more iterations rather than write a time the cost model must refuse
        for (int round = 1; round <= 2; round++) {
            List<int[]> noisy = new ArrayList<>();
            for (int[] c : configs) {
                if (times.get(rawKey(r.layernumMax(), c[0], c[1])).asDouble() <= times.get(rawKey(r.layernumMin(), c[0], c[1])).asDouble()) {
                    noisy.add(new int[] {r.layernumMin(), c[0], c[1]});
                    noisy.add(new int[] {r.layernumMax(), c[0], c[1]});
                }
            }
            if (noisy.isEmpty()) break;
            Request again = r.withIterations(Math.max(2, r.warmup()), r.iters() * (round == 1 ? 4 : 16));
            out.accept(Event.of(RunnerEvent.WARNING).put("message", noisy.size() / 2 + " measurement(s) where the deeper model was not slower: "
                    + "timing them again with " + again.iters() + " iterations"));
            rec.retiming = true;
            if (which.equals("torch")) {
                int code = measureWithTorch(again, model, noisy, List.of(), actBytes, rec, out);
                if (code != 0) return code;
            } else {
                measureWithDjl(again, model, noisy, List.of(), actBytes, rec, out);
            }
        }
        for (int[] c : configs) {
            double tMin = times.get(rawKey(r.layernumMin(), c[0], c[1])).asDouble();
            double tMax = times.get(rawKey(r.layernumMax(), c[0], c[1])).asDouble();
            if (tMax <= tMin) {
                out.accept(Event.of(RunnerEvent.ERROR).put("kind", "measurement").put("message", String.format(Locale.ROOT,
                        "bsz %d seq %d: %d layers took %.4f ms, %d layers %.4f ms, three times over: the layer's time is lost in the noise; "
                                + "profile again with more --iters or a larger --layernum-max (what was measured is kept)", c[0], c[1],
                        r.layernumMin(), tMin, r.layernumMax(), tMax)));
                return 1;
            }
        }
        ObjectNode computation = computationProfile(times, configs, r.layernumMin(), r.layernumMax());
        ObjectNode memoryProfile = memoryProfile(model, memory, memSeqs, r.maxTp());
        List<String> findings = new ArrayList<>(checkTimes(computation, configs, r.mode()));
        findings.addAll(checkMemory(memory));
        for (String f : findings) out.accept(Event.of(RunnerEvent.WARNING).put("message", f));
        Path c = r.outputDir().resolve(ProfilePaths.computationFile(r.precision(), model.profileName()));
        Path m = r.outputDir().resolve(ProfilePaths.memoryFile(r.precision(), model.profileName()));
        JsonFiles.writeAtomically(c, computation.toPrettyString());
        JsonFiles.writeAtomically(m, memoryProfile.toPrettyString());
        ArrayNode files = JsonNodeFactory.instance.arrayNode().add(c.toString()).add(m.toString());
        out.accept(Event.of(RunnerEvent.PROFILE_FINISHED).put("what", "model").put("flagged", findings.size())
                .put("note", "other_memory_* (embedding, head) is modelled analytically; DJL cannot run ZeRO across GPUs").set("files", files));
        return 0;
    }

    /** djl unless asked otherwise, or when the node has GPUs DJL's libtorch cannot use (then the node's torch). */
    static String chooseEngine(Request r) {
        if (!r.engine().equals("auto")) return r.engine();
        if (r.device().equals("cpu")) return "djl";
        String gpus = studio.runner.env.NodeEnvironment.run(List.of("nvidia-smi", "-L"), 20);
        boolean nodeHasGpus = gpus != null && gpus.contains("GPU ");
        return nodeHasGpus && !Engine.getInstance().defaultDevice().isGpu() ? "torch" : "djl";
    }

    /** Saves each measurement as it arrives and reports progress. */
    private static final class Recorder {
        private final Path file;
        private final ObjectNode progress;
        private final Consumer<Event> out;
        private final int total;
        private int done;

        Recorder(Path file, ObjectNode progress, Consumer<Event> out, int total, int done) {
            this.file = file;
            this.progress = progress;
            this.out = out;
            this.total = total;
            this.done = done;
        }

        /** True while noisy pairs are timed again: those are not new steps of the profile's progress. */
        boolean retiming;

        void time(String key, double ms) throws IOException {
            ((ObjectNode) progress.get("times")).put(key, ms);
            // a pair timed again for noise replaces what was kept: say so, for whoever compares with the kept value
            if (retiming) progress.withArray("retimed").add(key);
            save(file, progress);
            if (retiming) return;
            out.accept(Event.of(RunnerEvent.PROFILE_PROGRESS).put("what", "model").put("key", key).put("ms", ms).put("done", ++done).put("of", total));
        }

        void memory(int seq, ObjectNode m) throws IOException {
            ((ObjectNode) progress.get("memory")).set(String.valueOf(seq), m);
            save(file, progress);
            out.accept(Event.of(RunnerEvent.PROFILE_PROGRESS).put("what", "model").put("key", "memory seq " + seq).put("done", ++done).put("of", total));
        }
    }

    private static void measureWithDjl(Request r, ModelDescription model, List<int[]> pendingTimes, List<Integer> pendingMemory, int actBytes,
                                       Recorder rec, Consumer<Event> out) throws IOException {
        Engine engine = Engine.getInstance();
        Device dev = switch (r.device()) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> engine.defaultDevice();
        };
        // libtorch's CPU bf16 GEMMs are far slower than fp32 ones, so CPUs compute in fp32; memory counts the run's precision
        DataType dtype = !dev.isGpu() || r.precision().equals("fp32") ? DataType.FLOAT32
                : r.precision().equals("fp16") ? DataType.FLOAT16 : DataType.BFLOAT16;
        out.accept(Event.of(RunnerEvent.PROFILE_STARTED).put("what", "model").put("model", model.name()).put("device", dev.toString())
                .put("engine", "DJL " + engine.getEngineName() + " " + engine.getVersion()).put("compute_dtype", dtype.toString())
                .put("measurements", rec.total).put("already_done", rec.done));
        try (NDManager manager = NDManager.newBaseManager(dev)) {
            DecoderStack stack = new DecoderStack(manager, model, r.layernumMax(), dtype, actBytes);
            for (int[] t : pendingTimes) rec.time(rawKey(t[0], t[1], t[2]), timeForward(stack, t[0], t[1], t[2], r.warmup(), r.iters()));
            for (int seq : pendingMemory) {
                ObjectNode m = JsonNodeFactory.instance.objectNode();
                for (int b : new int[] {1, 2}) {
                    try (NDManager step = manager.newSubManager()) {
                        NDArray tokens = stack.randomTokens(b, seq);
                        tokens.attach(step);
                        stack.forwardLoss(1, b, seq, tokens, tokens);
                    }
                    m.put("replicated_bytes_bsz" + b, stack.lastSaved().replicated());
                    m.put("sharded_bytes_bsz" + b, stack.lastSaved().sharded());
                }
                m.put("layer_parameters", stack.layerParameters());
                m.put("layer_input_bytes", (long) seq * model.hiddenSize() * actBytes);
                rec.memory(seq, m);
            }
        }
    }

    /** The same measurements by the shipped torch program with the node's Python, one JSON line each. */
    private static int measureWithTorch(Request r, ModelDescription model, List<int[]> pendingTimes, List<Integer> pendingMemory, int actBytes,
                                        Recorder rec, Consumer<Event> out) throws IOException {
        Path dir = r.outputDir().resolve(".model-profile");
        Path script = ShippedScripts.extract("profile_model.py", dir);
        ObjectNode shape = JsonNodeFactory.instance.objectNode().put("family", model.family().directory()).put("hidden", model.hiddenSize())
                .put("heads", model.attentionHeads() > 0 ? model.attentionHeads() : Math.max(1, model.hiddenSize() / 64))
                .put("kv_heads", model.keyValueHeads() > 0 ? model.keyValueHeads() : model.attentionHeads())
                .put("ffn", model.ffnHiddenSize() > 0 ? model.ffnHiddenSize() : 4 * model.hiddenSize())
                .put("vocab", model.vocabSize() > 0 ? model.vocabSize() : 32000);
        StringBuilder timesArg = new StringBuilder();
        for (int[] t : pendingTimes) timesArg.append(timesArg.length() == 0 ? "" : ",").append(t[0]).append(':').append(t[1]).append(':').append(t[2]);
        String memArg = String.join(",", pendingMemory.stream().map(String::valueOf).toList());
        ProcessBuilder pb = new ProcessBuilder(r.python(), script.toString(), "--model", shape.toString(), "--times", timesArg.toString(),
                "--memory-seqs", memArg, "--layers", String.valueOf(r.layernumMax()), "--precision", r.precision(),
                "--warmup", String.valueOf(r.warmup()), "--iters", String.valueOf(r.iters()), "--device", r.device());
        int code = ShippedScripts.runJsonLines(pb, dir.resolve("torch-profiler.err"), e -> {
            if (e.has("started")) {
                out.accept(Event.of(RunnerEvent.PROFILE_STARTED).put("what", "model").put("model", model.name()).put("device", e.path("device").asText())
                        .put("engine", "torch " + e.path("torch").asText()).put("compute_dtype", e.path("dtype").asText())
                        .put("measurements", rec.total).put("already_done", rec.done));
            } else if (e.has("key")) {
                rec.time(e.get("key").asText(), e.get("ms").asDouble());
            } else if (e.has("memory_seq")) {
                ObjectNode m = ((ObjectNode) e).deepCopy();
                int seq = m.remove("memory_seq").asInt();
                rec.memory(seq, m);
            }
        });
        if (code != 0 && code != 130) {
            out.accept(Event.of(RunnerEvent.ERROR).put("kind", "profiler").put("exit_code", code)
                    .put("message", "the torch model profiler failed: " + ShippedScripts.errorTail(dir.resolve("torch-profiler.err"))));
        }
        return code;
    }

    /** Median wall-clock ms of a forward over {@code layers} layers, after warm-up. */
    static double timeForward(DecoderStack stack, int layers, int batch, int seq, int warmup, int iters) {
        double[] ms = new double[iters];
        for (int i = 0; i < warmup + iters; i++) {
            try (NDManager step = stack.manager().newSubManager()) {
                NDArray tokens = stack.randomTokens(batch, seq);
                tokens.attach(step);
                long t0 = System.nanoTime();
                stack.forwardLoss(layers, batch, seq, tokens, tokens);
                if (i >= warmup) ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        return iters % 2 == 1 ? ms[iters / 2] : (ms[iters / 2 - 1] + ms[iters / 2]) / 2;
    }

    static String rawKey(int layers, int batch, int seq) {
        return "layernum[" + layers + "]_bsz" + batch + "_seq" + seq;
    }

    /** Galvatron's post-processing: per-layer ms per sample from the difference, the rest as "other", floored at 0. */
    static ObjectNode computationProfile(ObjectNode times, List<int[]> configs, int lmin, int lmax) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int[] c : configs) {
            o.put(rawKey(lmin, c[0], c[1]), times.get(rawKey(lmin, c[0], c[1])).asDouble());
            o.put(rawKey(lmax, c[0], c[1]), times.get(rawKey(lmax, c[0], c[1])).asDouble());
        }
        for (int[] c : configs) {
            double tMin = times.get(rawKey(lmin, c[0], c[1])).asDouble();
            double tMax = times.get(rawKey(lmax, c[0], c[1])).asDouble();
            double perLayer = (tMax - tMin) / c[0] / (lmax - lmin);
            o.put("layertype_0_bsz" + c[0] + "_seq" + c[1], perLayer);
            o.put("layertype_other_bsz" + c[0] + "_seq" + c[1], Math.max(0, (tMin - lmin * perLayer * c[0]) / c[0]));
        }
        return o;
    }

    /**
     * The memory profile: the analytic embedding/head terms, with the layer's parameter size and activations replaced
     * by what was measured. Without SP the replicated tensors stay whole on every TP rank; with Megatron-SP or Ulysses
     * everything is split.
     */
    static ObjectNode memoryProfile(ModelDescription model, ObjectNode memory, List<Integer> seqs, int maxTp) {
        ProfileEstimator analytic = new ProfileEstimator(Calibration.a100());
        ObjectNode o = null;
        for (int seq : seqs) {
            ObjectNode atSeq = analytic.memory(model.withSeqLength(seq), maxTp);
            JsonNode m = memory.get(String.valueOf(seq));
            double rep = m.get("replicated_bytes_bsz1").asDouble();
            double sh = m.get("sharded_bytes_bsz1").asDouble();
            for (String sfx : new String[] {"", "_sp"}) {
                ObjectNode layer = (ObjectNode) atSeq.path("layertype_0" + sfx).path(String.valueOf(seq));
                layer.put("parameter_size", m.get("layer_parameters").asDouble() * 4 / MB);
                ObjectNode act = (ObjectNode) layer.path("tp_activation_per_bsz_dict");
                for (int t = 1; t <= maxTp; t *= 2) act.put(String.valueOf(t), (sfx.isEmpty() ? rep + sh / t : (rep + sh) / t) / MB);
                act.put("checkpoint", m.get("layer_input_bytes").asDouble() / MB);
            }
            if (o == null) {
                o = atSeq;
            } else {
                for (var e : JsonFiles.fields(atSeq)) ((ObjectNode) o.get(e.getKey())).setAll((ObjectNode) e.getValue());
            }
        }
        return o;
    }

    /** Per-sample layer time should not shrink as the batch grows (a batch's time grows with it); times must be positive. */
    static List<String> checkTimes(ObjectNode computation, List<int[]> configs, Mode mode) {
        List<String> findings = new ArrayList<>();
        double prevBatchMs = -1;
        int prevB = 0;
        for (int[] c : configs) {
            double perLayer = computation.get("layertype_0_bsz" + c[0] + "_seq" + c[1]).asDouble();
            if (perLayer <= 0) {
                findings.add(String.format(Locale.ROOT, "bsz %d seq %d: the deeper model was not slower (%.4f ms a layer); the "
                        + "measurement is noise, re-run with more --iters or a larger --layernum-max", c[0], c[1], perLayer));
            } else if (mode == Mode.BATCH) {
                double batchMs = perLayer * c[0];
                if (prevBatchMs > 0 && batchMs < prevBatchMs * 0.95) {
                    findings.add(String.format(Locale.ROOT, "a layer took %.4f ms at batch %d but %.4f ms at batch %d; times should "
                            + "grow with the batch size", batchMs, c[0], prevBatchMs, prevB));
                }
                prevBatchMs = batchMs;
                prevB = c[0];
            }
        }
        return findings;
    }

    /** Activation memory must be linear in the batch size: two samples keep twice what one keeps. */
    static List<String> checkMemory(ObjectNode memory) {
        List<String> findings = new ArrayList<>();
        for (var e : JsonFiles.fields(memory)) {
            JsonNode m = e.getValue();
            double one = m.get("replicated_bytes_bsz1").asDouble() + m.get("sharded_bytes_bsz1").asDouble();
            double two = m.get("replicated_bytes_bsz2").asDouble() + m.get("sharded_bytes_bsz2").asDouble();
            if (Math.abs(two - 2 * one) > 0.02 * two) {
                findings.add(String.format(Locale.ROOT, "seq %s: activation is not linear in the batch size (%.1f MB for 1 sample, "
                        + "%.1f MB for 2)", e.getKey(), one / MB, two / MB));
            }
        }
        return findings;
    }

    private static ObjectNode loadProgress(Path file, String identity, boolean resume, Consumer<Event> out) throws IOException {
        if (resume && Files.exists(file)) {
            ObjectNode old = JsonFiles.readObject(file);
            if (identity.equals(old.path("identity").asText()) && old.get("times") instanceof ObjectNode
                    && old.get("memory") instanceof ObjectNode) {
                int kept = old.get("times").size() + old.get("memory").size();
                if (kept > 0) out.accept(Event.of(RunnerEvent.PROFILE_RESUMED).put("what", "model").put("measurements_kept", kept));
                return old;
            }
            out.accept(Event.of(RunnerEvent.WARNING).put("message", file + " belongs to another model, precision or device; starting over"));
        }
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("identity", identity);
        p.set("times", JsonNodeFactory.instance.objectNode());
        p.set("memory", JsonNodeFactory.instance.objectNode());
        save(file, p);
        return p;
    }

    private static void save(Path file, ObjectNode progress) throws IOException {
        Files.createDirectories(file.getParent());
        JsonFiles.writeAtomically(file, progress.toPrettyString());
    }
}
