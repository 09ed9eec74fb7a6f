package studio.runner.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.HydraConfig;
import studio.engine.io.JsonFiles;
import studio.engine.model.Architecture;
import studio.engine.model.ArchitectureReader;
import studio.engine.model.ModelCatalog;
import studio.engine.profile.v3.LayerParts;
import studio.engine.protocol.RunnerEvent;
import studio.runner.events.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What Galvatron's profiler does not measure, on one device with the node's torch (the shipped {@code profile_model.py
 * --parts}): an MoE layer's dense part (attention, norms, router) and one expert's compute per token, and the
 * ring-attention step of each cp degree as a share of the layer, written as {@link LayerParts} beside Galvatron's files,
 * where the 3.0 search reads them instead of its shape-based estimates.
 */
public final class LayerPartsProfiler {
    private LayerPartsProfiler() {
    }

    /**
     * @param modelConfig a Hugging Face config.json, a Galvatron 3.0 model YAML, or a Galvatron meta config
     * @param cpDegrees   the ring steps to measure (cp 2, 4, ...)
     */
    public record Request(Path modelConfig, String modelName, Path outputDir, int batchSize, int seqLength, List<Integer> cpDegrees, String precision,
                          int warmup, int iters, String device, String python) {
        public Request {
            cpDegrees = List.copyOf(cpDegrees);
            for (int cp : cpDegrees) {
                if (cp < 2 || Integer.bitCount(cp) != 1 || seqLength % cp != 0) {
                    throw new IllegalArgumentException("--cp-degrees: expected powers of two from 2 dividing --profile-seq-length " + seqLength + ", got " + cp);
                }
            }
            if (batchSize < 1 || seqLength < 1) throw new IllegalArgumentException("--profile-batch-size and the sequence length must be positive");
            if (iters < 1 || warmup < 0) throw new IllegalArgumentException("--iters must be >= 1 and --warmup >= 0");
        }
    }

    /** The model's shape from any of the files a user has for it. */
    static Architecture architecture(Path file, String name) {
        String fileName = file.getFileName().toString();
        String model = name != null && !name.isBlank() ? name : fileName.replaceFirst("\\.(json|ya?ml)$", "");
        if (fileName.endsWith(".yaml") || fileName.endsWith(".yml")) {
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            HydraConfig.read(file).properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
            return ArchitectureReader.fromGalvatron3(file, model, fields);
        }
        ObjectNode o = JsonFiles.readObject(file);
        Architecture a = o.has("model_type") ? ArchitectureReader.fromHuggingFace(file, o) : ArchitectureReader.of(ModelCatalog.read(file));
        return a.withName(model);
    }

    public static int run(Request r, Consumer<Event> out) throws IOException {
        Architecture a = architecture(r.modelConfig(), r.modelName());
        if (!a.gatedMlp() || a.layerNorm()) {
            throw new IllegalArgumentException(r.modelConfig() + ": the layer-parts profile builds llama-style layers (RMSNorm, SwiGLU), as Galvatron "
                    + "3.0's MoE models are; " + a.name() + " is not one");
        }
        if (a.mla() != null) throw new IllegalArgumentException(r.modelConfig() + ": multi-head latent attention is not built by the layer-parts profile");
        Path dir = r.outputDir().resolve(".layer-parts");
        Path script = ShippedScripts.extract("profile_model.py", dir);
        ObjectNode shape = JsonNodeFactory.instance.objectNode().put("family", "llama_hf").put("hidden", a.hiddenSize()).put("heads", a.attentionHeads())
                .put("kv_heads", a.keyValueHeads()).put("head_dim", a.headDim()).put("ffn", Math.max(1, a.ffnHiddenSize())).put("vocab", a.vocabSize());
        List<String> command = new java.util.ArrayList<>(List.of(r.python(), script.toString(), "--model", shape.toString(), "--layers", "1",
                "--precision", r.precision(), "--warmup", String.valueOf(r.warmup()), "--iters", String.valueOf(r.iters()), "--device", r.device(),
                "--parts", r.batchSize() + ":" + r.seqLength(), "--cp-degrees", String.join(",", r.cpDegrees().stream().map(String::valueOf).toList())));
        if (a.isMoe()) {
            command.addAll(List.of("--moe", JsonNodeFactory.instance.objectNode().put("experts", a.moe().experts()).put("top_k", a.moe().topK())
                    .put("expert_ffn", a.moe().expertFfn()).toString()));
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        int measurements = 1 + r.cpDegrees().size() + (a.isMoe() ? 2 : 0);
        int[] done = {0};
        int code = ShippedScripts.runJsonLines(new ProcessBuilder(command), dir.resolve("torch-profiler.err"), e -> {
            if (e.has("started")) {
                result.put("device", e.path("device").asText());
                result.put("torch", e.path("torch").asText());
                out.accept(Event.of(RunnerEvent.PROFILE_STARTED).put("what", "layer parts").put("model", a.name()).put("device", e.path("device").asText())
                        .put("engine", "torch " + e.path("torch").asText()).put("measurements", measurements).put("already_done", 0));
            } else if (e.has("key")) {
                result.put(e.get("key").asText(), e.get("ms").asDouble());
                done[0]++;
                out.accept(Event.of(RunnerEvent.PROFILE_PROGRESS).put("key", e.get("key").asText()).put("ms", e.get("ms").asDouble())
                        .put("done", done[0]).put("total", measurements));
            }
        });
        if (code != 0) {
            if (code != 130) {
                out.accept(Event.of(RunnerEvent.ERROR).put("kind", "profiler").put("exit_code", code)
                        .put("message", "the layer-parts profiler failed: " + ShippedScripts.errorTail(dir.resolve("torch-profiler.err"))));
            }
            return code;
        }
        Files.createDirectories(r.outputDir());
        Path file = r.outputDir().resolve(LayerParts.fileName(r.precision(), a.name()));
        JsonFiles.writeAtomically(file, JsonFiles.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        // read back as the search reads it: a file it would refuse is not left as a result
        LayerParts parts = LayerParts.read(file);
        Event finished = Event.of(RunnerEvent.PROFILE_FINISHED).put("what", "layer parts").put("file", file.toString()).put("layer_ms", parts.layerMs());
        if (parts.attentionShare() != null) finished.put("attention_share", parts.attentionShare());
        if (parts.experts()) finished.put("dense_ms_per_sample", parts.denseMsPerSample()).put("expert_ms_per_token", parts.expertMsPerAssignment());
        out.accept(finished);
        return 0;
    }
}
