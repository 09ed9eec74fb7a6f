package studio.engine.inputs.v3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.HydraConfig;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Galvatron 3.0's {@code resolve_model_config} (v3 spec §2.2): the search YAML's inline {@code model_info}, then a
 * Hugging Face {@code config.json} ({@code hf_model_name_or_path}, a local folder), then the model YAML
 * ({@code model_config_path}), each filling only what is still unset. The search uses the size name, hidden size and
 * layer count; the rest is kept for the studio's model view.
 *
 * @param values  every resolved field by Galvatron's name
 * @param sources where each came from (the search YAML, the HF config or the model YAML)
 */
public record ModelInfo3(Map<String, JsonNode> values, Map<String, String> sources, Integer hfSeqLength) {
    /** {@code _YAML_TO_MODEL_FIELDS}: what a model YAML may set. */
    static final List<String> YAML_FIELDS = List.of("model_size", "hidden_size", "num_layers", "num_attention_heads", "num_query_groups",
            "ffn_hidden_size", "vocab_size", "kv_channels", "normalization", "norm_epsilon", "activation_func", "gated_linear_unit",
            "position_embedding_type", "rotary_base", "rotary_percent", "rotary_interleaved", "apply_rope_fusion", "add_bias_linear",
            "add_qkv_bias", "qk_layernorm", "untie_embeddings_and_output_weights", "make_vocab_size_divisible_by",
            "num_moe_experts", "moe_ffn_hidden_size", "moe_router_topk", "moe_shared_expert_intermediate_size");
    /** Written from the model YAML even when already set. */
    private static final List<String> ALWAYS = List.of("normalization", "activation_func", "gated_linear_unit", "position_embedding_type",
            "apply_rope_fusion", "add_bias_linear", "add_qkv_bias", "untie_embeddings_and_output_weights");
    /** Fields whose schema default is not None, so a model YAML never changes them (quirk Q-v3-3). */
    private static final List<String> HAS_DEFAULT = List.of("norm_epsilon", "rotary_base", "rotary_percent", "make_vocab_size_divisible_by",
            "moe_router_topk", "qk_layernorm", "rotary_interleaved");

    static ModelInfo3 resolve(Path searchYaml, ObjectNode inline, Path workingDir) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        inline.properties().forEach(e -> {
            if (!e.getValue().isNull()) {
                values.put(e.getKey(), e.getValue());
                sources.put(e.getKey(), searchYaml.toString());
            }
        });
        ObjectNode modelYaml = null;
        Path modelYamlPath = null;
        JsonNode configPath = values.get("model_config_path");
        if (configPath != null) {
            modelYamlPath = resolvePath(workingDir, configPath.asText());
            if (!Files.isRegularFile(modelYamlPath)) {
                throw new InputFileException(searchYaml, "search_engine.model_info.model_config_path", "'" + configPath.asText()
                        + "' resolves to " + modelYamlPath + ", which does not exist (relative paths start at the model folder " + workingDir + ")");
            }
            modelYaml = HydraConfig.read(modelYamlPath);
            JsonNode hf = modelYaml.get("hf_model_name_or_path");
            if (!values.containsKey("hf_model_name_or_path") && hf != null && !hf.isNull() && !hf.asText().isEmpty()) {
                values.put("hf_model_name_or_path", hf);
                sources.put("hf_model_name_or_path", modelYamlPath.toString());
            }
        }
        Integer hfSeq = null;
        JsonNode hfPath = values.get("hf_model_name_or_path");
        if (hfPath != null) hfSeq = fromHuggingFace(searchYaml, workingDir, hfPath.asText(), values, sources);
        if (modelYaml != null) {
            for (String f : YAML_FIELDS) {
                JsonNode v = modelYaml.get(f);
                if (v == null || v.isNull() || HAS_DEFAULT.contains(f)) continue;
                if (ALWAYS.contains(f) || !values.containsKey(f)) {
                    values.put(f, v);
                    sources.put(f, modelYamlPath.toString());
                }
            }
        }
        if (!values.containsKey("model_size") && hfPath != null) {
            String p = hfPath.asText();
            values.put("model_size", JsonNodeFactory.instance.textNode(p.substring(p.lastIndexOf('/') + 1)));
            sources.put("model_size", "hf_model_name_or_path");
        }
        return new ModelInfo3(values, sources, hfSeq);
    }

    private static Integer fromHuggingFace(Path searchYaml, Path workingDir, String name, Map<String, JsonNode> values, Map<String, String> sources) {
        Path dir = resolvePath(workingDir, name);
        Path config = Files.isDirectory(dir) ? dir.resolve("config.json") : dir;
        if (!Files.isRegularFile(config)) {
            throw new InputFileException(searchYaml, "search_engine.model_info.hf_model_name_or_path", "'" + name
                    + "' is not a local folder holding config.json (the studio reads Hugging Face configs from disk; download the model's config.json and point here at its folder)");
        }
        ObjectNode hf = JsonFiles.readObject(config);
        String src = config.toString();
        fillFirst(values, sources, "hidden_size", hf, src, "hidden_size", "n_embd", "d_model");
        fillFirst(values, sources, "num_layers", hf, src, "num_hidden_layers", "n_layer", "num_layers");
        fillFirst(values, sources, "num_attention_heads", hf, src, "num_attention_heads", "n_head", "num_heads");
        fillFirst(values, sources, "ffn_hidden_size", hf, src, "intermediate_size", "n_inner", "ffn_dim", "d_ff");
        fillFirst(values, sources, "vocab_size", hf, src, "vocab_size");
        JsonNode kv = hf.get("num_key_value_heads");
        JsonNode heads = values.get("num_attention_heads");
        if (!values.containsKey("num_query_groups") && kv != null && kv.isNumber() && (heads == null || heads.asInt() != kv.asInt())) {
            values.put("num_query_groups", kv);
            sources.put("num_query_groups", src);
        }
        if (!values.containsKey("kv_channels") && values.containsKey("hidden_size") && heads != null && heads.asInt() > 0) {
            values.put("kv_channels", JsonNodeFactory.instance.numberNode(values.get("hidden_size").asInt() / heads.asInt()));
            sources.put("kv_channels", src);
        }
        fillFirst(values, sources, "num_moe_experts", hf, src, "num_local_experts", "num_experts", "n_routed_experts");
        fillFirst(values, sources, "moe_ffn_hidden_size", hf, src, "moe_intermediate_size");
        fillFirst(values, sources, "moe_router_topk", hf, src, "num_experts_per_tok");
        JsonNode tie = hf.get("tie_word_embeddings");
        if (tie != null && tie.isBoolean()) {
            values.put("untie_embeddings_and_output_weights", JsonNodeFactory.instance.booleanNode(!tie.asBoolean()));
            sources.put("untie_embeddings_and_output_weights", src);
        }
        JsonNode type = hf.get("model_type");
        if (!values.containsKey("model_size") && type != null && type.isTextual()) {
            values.put("model_size", type);
            sources.put("model_size", src + " (model_type)");
        }
        for (String k : List.of("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")) {
            JsonNode v = hf.get(k);
            if (v != null && v.isIntegralNumber()) return v.asInt();
        }
        return null;
    }

    private static void fillFirst(Map<String, JsonNode> values, Map<String, String> sources, String field, ObjectNode hf, String src, String... keys) {
        if (values.containsKey(field)) return;
        for (String k : keys) {
            JsonNode v = hf.get(k);
            if (v != null && !v.isNull()) {
                values.put(field, v);
                sources.put(field, src);
                return;
            }
        }
    }

    /** Galvatron expands {@code ~} and {@code $VARS} and resolves against the working directory. */
    static Path resolvePath(Path workingDir, String text) {
        String t = text.strip();
        if (t.startsWith("~")) t = System.getProperty("user.home") + t.substring(1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(t);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String env = System.getenv(m.group(1));
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(env != null ? env : m.group()));
        }
        m.appendTail(sb);
        Path p = Path.of(sb.toString());
        return (p.isAbsolute() ? p : workingDir.resolve(p)).normalize();
    }

    public Integer integer(String field) {
        JsonNode v = values.get(field);
        return v == null || !v.canConvertToInt() ? null : v.asInt();
    }

    public String text(String field) {
        JsonNode v = values.get(field);
        return v == null ? null : v.asText();
    }
}
