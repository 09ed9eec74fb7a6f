package studio.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads model descriptions: Galvatron {@code meta_configs/*.json} of every family and Hugging Face
 * {@code config.json} for llama, qwen2, mistral and gpt2, and finds presets by name under a sample-configs root.
 */
public final class ModelCatalog {
    private final Path root;

    /** @param root a folder holding {@code <family>/meta_configs/<name>.json} (the shipped sample-configs) */
    public ModelCatalog(Path root) {
        this.root = root;
    }

    public Path root() { return root; }

    /** Every preset name under the root, sorted. */
    public List<String> presetNames() {
        TreeSet<String> names = new TreeSet<>();
        for (ModelFamily f : ModelFamily.values()) {
            Path dir = root.resolve(f.directory()).resolve("meta_configs");
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                        .forEach(n -> names.add(n.substring(0, n.length() - 5)));
                for (var alias : GALVATRON_NAMES.entrySet()) {
                    if (Files.isRegularFile(dir.resolve(alias.getValue() + ".json"))) names.add(alias.getKey());
                }
            } catch (IOException e) {
                throw new InputFileException(dir, null, "cannot list model presets (" + e.getMessage() + ")");
            }
        }
        return List.copyOf(names);
    }

    /**
     * The names Galvatron's own {@code --model_size} choices give the bert, swin and vit families ({@code path_dict} in
     * each family's meta_configs), mapped to the meta-config file each stands for.
     */
    private static final java.util.Map<String, String> GALVATRON_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry("bert-base", "bert-base-uncased"), java.util.Map.entry("bert-large", "bert-large-uncased"),
            java.util.Map.entry("bert-huge-32", "bert-huge-uncased-32"), java.util.Map.entry("bert-huge-48", "bert-huge-uncased-48"),
            java.util.Map.entry("swin-large", "swin-large-patch4-window12-384"), java.util.Map.entry("swin-huge", "swin-huge-patch4-window7-224"),
            java.util.Map.entry("vit-base", "vit-base-patch16-224"), java.util.Map.entry("vit-large", "vit-large-patch16-224"),
            java.util.Map.entry("vit-huge", "vit-huge-patch16-224"), java.util.Map.entry("vit-xhuge", "vit-xhuge-patch16-224"));

    /** The meta-config file of a preset (a file name or one of Galvatron's --model_size names), or null. */
    public Path presetFile(String name) {
        String file = GALVATRON_NAMES.get(name);
        if (file != null) {
            Path p = presetFile(file);
            if (p != null) return p;
        }
        for (ModelFamily f : ModelFamily.values()) {
            Path p = root.resolve(f.directory()).resolve("meta_configs").resolve(name + ".json");
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /**
     * A model by preset name ({@code llama-7b}, {@code gpt-1.5b}, {@code t5-3B} ...) or by path to a meta config or
     * a Hugging Face config.json (or the folder holding it).
     */
    public ModelDescription resolve(String nameOrPath) {
        Path preset = presetFile(nameOrPath);
        return preset != null ? readMetaConfig(preset, familyOfPresetFile(preset), nameOrPath) : read(file(nameOrPath));
    }

    /** The file {@link #resolve} reads for a preset name or a path (a config.json's folder names its config.json). */
    public Path file(String nameOrPath) {
        Path preset = presetFile(nameOrPath);
        if (preset != null) return preset;
        Path p = Path.of(nameOrPath);
        if (Files.isDirectory(p)) p = p.resolve("config.json");
        if (Files.isRegularFile(p)) return p;
        throw new InputFileException(root, "--model_size", "unknown model '" + nameOrPath
                + "'; expected one of " + presetNames() + " or a path to a config.json");
    }

    private static ModelFamily familyOfPresetFile(Path preset) {
        return ModelFamily.fromDirectory(preset.getParent().getParent().getFileName().toString());
    }

    /** Reads a Galvatron meta config (family from its folder) or a Hugging Face config.json (family from model_type). */
    public static ModelDescription read(Path file) {
        ObjectNode json = JsonFiles.readObject(file);
        JsonNode modelType = json.get("model_type");
        String fileName = file.getFileName().toString();
        if (modelType != null && modelType.isTextual()) {
            return readHuggingFace(file, json, huggingFaceName(file, json));
        }
        Path parent = file.toAbsolutePath().getParent();
        ModelFamily family;
        if (parent != null && parent.getFileName().toString().equals("meta_configs") && parent.getParent() != null) {
            family = ModelFamily.fromDirectory(parent.getParent().getFileName().toString());
        } else {
            family = guessFamily(file, json);
        }
        String name = fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5) : fileName;
        return readMetaConfig(file, family, name);
    }

    /** Folder names that say nothing of the model inside (a download or cache layout). */
    private static final java.util.Set<String> GENERIC_FOLDERS = java.util.Set.of("models", "model", "config", "configs", "hf", "huggingface",
            "checkpoint", "checkpoints", "weights", "snapshots", "main", "tmp", "download", "downloads");

    /**
     * A Hugging Face model's name from its config: {@code _name_or_path} (its last part), else the folder the
     * config.json is in when that names the model, else the architecture and shape.
     */
    static String huggingFaceName(Path file, ObjectNode json) {
        JsonNode named = json.get("_name_or_path");
        if (named != null && named.isTextual() && !named.asText().isBlank()) {
            String n = named.asText().replaceAll("[/\\\\]+$", "");
            n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
            if (!n.isBlank()) return n;
        }
        Path parent = file.toAbsolutePath().getParent();
        String folder = parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
        String fileName = file.getFileName().toString();
        if (!fileName.equals("config.json")) return fileName.endsWith(".json") ? fileName.substring(0, fileName.length() - 5) : fileName;
        if (!folder.isBlank() && !GENERIC_FOLDERS.contains(folder.toLowerCase(Locale.ROOT)) && !folder.matches("[0-9a-f]{40}")) return folder;
        String type = json.path("model_type").asText("model");
        String hidden = json.path("hidden_size").isNumber() ? json.path("hidden_size").asText() : json.path("n_embd").asText("");
        String layers = json.path("num_hidden_layers").isNumber() ? json.path("num_hidden_layers").asText() : json.path("n_layer").asText("");
        return type + "-h" + hidden + "-l" + layers;
    }

    private static ModelFamily guessFamily(Path file, ObjectNode json) {
        if (json.has("dim") && json.has("n_layers")) return ModelFamily.LLAMA_HF;
        if (json.has("n_embd")) return ModelFamily.GPT_HF;
        if (json.has("d_model")) return ModelFamily.T5;
        if (json.has("depths")) return ModelFamily.SWIN;
        if (json.has("patch_size") && json.has("hidden_size")) return ModelFamily.VIT_HF;
        if (json.has("hidden_size") && json.has("num_hidden_layers")) return ModelFamily.BERT_HF;
        throw new InputFileException(file, null, "not a model description: expected a Galvatron meta config "
                + "(keys dim/n_layers, n_embd, d_model, depths or hidden_size) or a Hugging Face config.json with model_type");
    }

    static ModelDescription readMetaConfig(Path file, ModelFamily family, String name) {
        ObjectNode j = JsonFiles.readObject(file);
        switch (family) {
            case LLAMA_HF: {
                int dim = intKey(file, j, "dim");
                int layers = layersKey(file, j, "n_layers");
                int heads = intKey(file, j, "n_heads");
                int kv = j.has("n_kv_heads") ? intKey(file, j, "n_kv_heads") : heads;
                int seq = intKey(file, j, "n_positions");
                int vocab = intKey(file, j, "vocab_size");
                int ffn;
                if (j.has("ffn_dim")) {
                    ffn = intKey(file, j, "ffn_dim");
                } else {
                    // LLaMA's rule: 2/3 of 4*dim, rounded up to a multiple of multiple_of.
                    int multiple = j.has("multiple_of") ? intKey(file, j, "multiple_of") : 256;
                    int hidden = (int) (2 * (4L * dim) / 3);
                    ffn = multiple * ((hidden + multiple - 1) / multiple);
                }
                return new ModelDescription(name, family, List.of(new LayerType(dim, seq, layers)), dim, heads, kv, ffn, vocab);
            }
            case GPT_HF: {
                int dim = intKey(file, j, "n_embd");
                int heads = intKey(file, j, "n_head");
                return new ModelDescription(name, family,
                        List.of(new LayerType(dim, intKey(file, j, "n_positions"), layersKey(file, j, "n_layer"))),
                        dim, heads, heads, j.has("n_inner") && !j.get("n_inner").isNull() ? intKey(file, j, "n_inner") : 4 * dim,
                        intKey(file, j, "vocab_size"));
            }
            case BERT_HF: {
                int dim = intKey(file, j, "hidden_size");
                int heads = intKey(file, j, "num_attention_heads");
                int ffn = j.has("intermediate_size") ? intKey(file, j, "intermediate_size") : 4 * dim;
                return new ModelDescription(name, family,
                        List.of(new LayerType(dim, intKey(file, j, "max_position_embeddings"), layersKey(file, j, "num_hidden_layers"))),
                        dim, heads, heads, ffn, intKey(file, j, "vocab_size"));
            }
            case VIT_HF: {
                int dim = intKey(file, j, "hidden_size");
                int heads = intKey(file, j, "num_attention_heads");
                int img = intKey(file, j, "image_size");
                int patch = intKey(file, j, "patch_size");
                int seq = (img / patch) * (img / patch) + 1;
                int ffn = j.has("intermediate_size") ? intKey(file, j, "intermediate_size") : 4 * dim;
                return new ModelDescription(name, family,
                        List.of(new LayerType(dim, seq, layersKey(file, j, "num_hidden_layers"))), dim, heads, heads, ffn, 0);
            }
            case T5: {
                int dim = intKey(file, j, "d_model");
                int enc = layersKey(file, j, "num_layers");
                int dec = j.has("num_decoder_layers") ? layersKey(file, j, "num_decoder_layers") : enc;
                int seq = intKey(file, j, "n_positions");
                int heads = intKey(file, j, "num_heads");
                return new ModelDescription(name, family,
                        List.of(new LayerType(dim, seq, enc), new LayerType(dim, seq, dec)),
                        dim, heads, heads, intKey(file, j, "d_ff"), intKey(file, j, "vocab_size"));
            }
            case SWIN: {
                int embed = intKey(file, j, "embed_dim");
                int img = intKey(file, j, "image_size");
                int patch = intKey(file, j, "patch_size");
                JsonNode depths = j.get("depths");
                if (depths == null || !depths.isArray() || depths.isEmpty()) {
                    throw new InputFileException(file, "depths", "expected a non-empty array of layer counts per stage");
                }
                List<LayerType> types = new ArrayList<>();
                for (int i = 0; i < depths.size(); i++) {
                    int depth = JsonFiles.integer(file, "depths[" + i + "]", depths.get(i), 1, MAX_LAYERS, "a layer count");
                    int side = img / patch / (1 << i);
                    if (side < 1) throw new InputFileException(file, "patch_size", "leaves no patches at stage " + i + " of image_size " + img);
                    types.add(new LayerType(embed * (1 << i), side * side, depth));
                }
                JsonNode heads = j.get("num_heads");
                int h0 = heads != null && heads.isArray() && !heads.isEmpty() ? JsonFiles.integer(file, "num_heads[0]", heads.get(0), 1, MAX_SIZE, "a head count") : 0;
                return new ModelDescription(name, family, types, embed, h0, h0, embed * 4, 0);
            }
            default:
                throw new IllegalStateException(family.toString());
        }
    }

    private static ModelDescription readHuggingFace(Path file, ObjectNode j, String name) {
        String type = j.get("model_type").asText().toLowerCase(Locale.ROOT);
        switch (type) {
            case "llama":
            case "qwen2":
            case "mistral": {
                int dim = intKey(file, j, "hidden_size");
                int heads = intKey(file, j, "num_attention_heads");
                int kv = j.has("num_key_value_heads") ? intKey(file, j, "num_key_value_heads") : heads;
                return new ModelDescription(name, ModelFamily.LLAMA_HF,
                        List.of(new LayerType(dim, intKey(file, j, "max_position_embeddings"), layersKey(file, j, "num_hidden_layers"))),
                        dim, heads, kv, intKey(file, j, "intermediate_size"), intKey(file, j, "vocab_size"));
            }
            case "gpt2": {
                int dim = intKey(file, j, "n_embd");
                int heads = intKey(file, j, "n_head");
                JsonNode inner = j.get("n_inner");
                int ffn = inner != null && !inner.isNull() ? intKey(file, j, "n_inner") : 4 * dim;
                return new ModelDescription(name, ModelFamily.GPT_HF,
                        List.of(new LayerType(dim, intKey(file, j, "n_positions"), layersKey(file, j, "n_layer"))),
                        dim, heads, heads, ffn, intKey(file, j, "vocab_size"));
            }
            default:
                throw new InputFileException(file, "model_type", "unsupported model type '" + type
                        + "'; expected llama, qwen2, mistral or gpt2");
        }
    }

    /** Galvatron's {@code --set_model_config_manually 1}: a single-type model from explicit sizes. */
    public static ModelDescription manual(String name, ModelFamily family, int hidden, int layers, int heads, int seq, int vocab) {
        return new ModelDescription(name, family, List.of(new LayerType(hidden, seq, layers)), hidden, heads, heads,
                family == ModelFamily.LLAMA_HF ? 256 * ((8 * hidden / 3 + 255) / 256) : 4 * hidden, vocab);
    }

    /** The most layers a model may have (the largest Transformers have a few hundred). */
    public static final int MAX_LAYERS = 10_000;
    /** The largest hidden size, vocabulary or sequence length taken as real. */
    public static final int MAX_SIZE = 1 << 24;

    static int intKey(Path file, ObjectNode j, String key) {
        JsonNode v = j.get(key);
        if (v == null) throw new InputFileException(file, key, "missing; expected a positive integer");
        return JsonFiles.integer(file, key, v, 1, MAX_SIZE, "a positive integer");
    }

    static int layersKey(Path file, ObjectNode j, String key) {
        JsonNode v = j.get(key);
        if (v == null) throw new InputFileException(file, key, "missing; expected a layer count");
        return JsonFiles.integer(file, key, v, 1, MAX_LAYERS, "a layer count");
    }
}
