package studio.engine.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.engine.inputs.InputLocator;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code gstudio models}: the shipped model presets. */
@Command(name = "models", mixinStandardHelpOptions = true, description = {"List the model presets shipped in sample-configs,",
        "or count one model's parameters (total and active per token) with --params."})
public final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--sample_configs", paramLabel = "DIR") Path sampleConfigs;

    @Option(names = "--params", paramLabel = "MODEL",
            description = "A preset, a Hugging Face config.json (or its folder: llama, mistral, qwen2/3, gpt2, mixtral, qwen2_moe, qwen3_moe, "
                    + "deepseek_v2/v3) or a Galvatron 3.0 model YAML: its exact parameter counts.")
    String params;

    @Option(names = "--json", description = "With --params: print JSON.") boolean json;

    private final PrintWriter out;

    public ModelsCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (params != null) return countParameters();
        ModelCatalog catalog = new ModelCatalog(sampleConfigs != null ? sampleConfigs : InputLocator.defaultSampleRoot());
        out.printf(Locale.ROOT, "%-32s %-9s %7s %7s %6s %8s%n", "preset", "family", "layers", "hidden", "heads", "seq");
        for (String name : catalog.presetNames()) {
            ModelDescription m = catalog.resolve(name);
            out.printf(Locale.ROOT, "%-32s %-9s %7d %7d %6d %8d%n", name, m.family().directory(), m.totalLayers(), m.hiddenSize(),
                    m.attentionHeads(), m.maxSeqLength());
        }
        out.flush();
        return 0;
    }

    private Integer countParameters() {
        studio.engine.model.Architecture a = architecture(params);
        var count = new studio.engine.model.ParameterCount(a);
        var moe = a.moe();
        if (json) {
            var j = JsonNodeFactory.instance.objectNode();
            j.put("model", a.name());
            j.put("layers", a.layers());
            j.put("hidden_size", a.hiddenSize());
            j.put("attention_heads", a.attentionHeads());
            j.put("key_value_heads", a.keyValueHeads());
            j.put("experts", moe == null ? 0 : moe.experts());
            j.put("experts_per_token", moe == null ? 0 : moe.topK());
            j.put("total_parameters", count.total());
            j.put("active_parameters_per_token", count.activePerToken());
            j.put("embedding_parameters", count.embedding());
            j.put("head_parameters", count.head());
            j.put("runnable_by_galvatron", a.runnableByGalvatron());
            out.println(j.toPrettyString());
        } else {
            out.printf(Locale.ROOT, "%s: %d layers, hidden %d, %d heads (%d key/value)%s%n", a.name(), a.layers(), a.hiddenSize(), a.attentionHeads(),
                    a.keyValueHeads(), moe == null ? "" : String.format(Locale.ROOT, ", %d experts (top %d, width %d%s%s)", moe.experts(), moe.topK(),
                            moe.expertFfn(), moe.sharedExpertFfn() > 0 ? ", shared width " + moe.sharedExpertFfn() : "",
                            moe.firstDenseLayers() > 0 ? ", first " + moe.firstDenseLayers() + " dense" : ""));
            out.printf(Locale.ROOT, "Total parameters: %,d (%.2f B)%n", count.total(), count.total() / 1e9);
            out.printf(Locale.ROOT, "Active per token: %,d (%.2f B)%n", count.activePerToken(), count.activePerToken() / 1e9);
            out.printf(Locale.ROOT, "Embedding %,d, head and final norm %,d, attention %,d per layer%n", count.embedding(), count.head(), count.attention());
            if (!a.runnableByGalvatron()) {
                out.println("Not runnable by Galvatron's runtime (multi-head latent attention): plans are what-if only");
            }
        }
        out.flush();
        return 0;
    }

    private studio.engine.model.Architecture architecture(String model) {
        if (studio.engine.inputs.v3.Galvatron3Inputs.isYaml(model)) {
            Path yaml = Path.of(model);
            var tree = studio.engine.io.HydraConfig.read(yaml);
            java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> fields = new java.util.LinkedHashMap<>();
            tree.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
            String name = tree.path("model_size").asText(yaml.getFileName().toString());
            return studio.engine.model.ArchitectureReader.fromGalvatron3(yaml, name, fields);
        }
        ModelCatalog catalog = new ModelCatalog(sampleConfigs != null ? sampleConfigs : InputLocator.defaultSampleRoot());
        if (catalog.presetFile(model) != null) {
            var a = studio.engine.model.ArchitectureReader.of(catalog.resolve(model));
            if (a == null) throw new IllegalArgumentException(model + " is not a decoder whose parameters the studio counts (BERT, T5, ViT and Swin are not)");
            return a;
        }
        Path file = Path.of(model);
        if (java.nio.file.Files.isDirectory(file)) file = file.resolve("config.json");
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new studio.engine.io.InputFileException(file, "--params", "not found; expected a preset (gstudio models lists them), a config.json or its folder, or a model YAML");
        }
        return studio.engine.model.ArchitectureReader.fromHuggingFace(file, studio.engine.io.JsonFiles.readObject(file));
    }
}
