package studio.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds an {@link Architecture} from what describes a model: a Hugging Face {@code config.json} (llama, mistral,
 * qwen2/3, gpt2 and the MoE families mixtral, qwen2_moe, qwen3_moe, deepseek_v2/v3), a Galvatron 3.0 model YAML's
 * fields, or a shipped Galvatron preset.
 */
public final class ArchitectureReader {
    private static final Set<String> GATED = Set.of("llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe",
            "deepseek_v2", "deepseek_v3", "gemma", "gemma2");
    /** The Qwen2.5 presets whose checkpoints tie the LM head to the embedding. */
    private static final Set<String> TIED_PRESETS = Set.of("qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-3b");

    private ArchitectureReader() {
    }

    public static Architecture fromHuggingFace(Path file, ObjectNode c) {
        String type = c.path("model_type").asText("").toLowerCase(Locale.ROOT);
        String name = ModelCatalog.huggingFaceName(file, c);
        int hidden = first(file, c, "hidden_size", "n_embd", "d_model");
        int layers = first(file, c, "num_hidden_layers", "n_layer", "num_layers");
        int heads = first(file, c, "num_attention_heads", "n_head", "num_heads");
        int kv = c.path("num_key_value_heads").isIntegralNumber() ? c.get("num_key_value_heads").asInt() : heads;
        int headDim = c.path("head_dim").isIntegralNumber() ? c.get("head_dim").asInt() : hidden / heads;
        boolean gpt2 = type.equals("gpt2");
        int ffn = c.path("intermediate_size").isIntegralNumber() ? c.get("intermediate_size").asInt()
                : c.path("n_inner").isIntegralNumber() ? c.get("n_inner").asInt() : 4 * hidden;
        int vocab = first(file, c, "vocab_size");
        boolean tied = c.path("tie_word_embeddings").isBoolean() ? c.get("tie_word_embeddings").asBoolean() : gpt2;
        boolean qwen2 = type.startsWith("qwen2");
        boolean attentionBias = gpt2 || qwen2 || c.path("attention_bias").asBoolean(false);
        boolean qkNorm = type.startsWith("qwen3");
        int positions = gpt2 ? c.path("n_positions").asInt(1024) : 0;
        Architecture.Moe moe = null;
        Architecture.Mla mla = null;
        switch (type) {
            case "mixtral" -> moe = new Architecture.Moe(first(file, c, "num_local_experts"), first(file, c, "num_experts_per_tok"), ffn, 0, 0);
            case "qwen2_moe", "qwen3_moe" -> {
                int step = c.path("decoder_sparse_step").asInt(1);
                if (step != 1 || (c.path("mlp_only_layers").isArray() && !c.get("mlp_only_layers").isEmpty())) {
                    throw new InputFileException(file, "decoder_sparse_step", "expected every layer to be an MoE layer (decoder_sparse_step 1, "
                            + "no mlp_only_layers); interleaved dense layers are not modelled yet");
                }
                int shared = c.path("shared_expert_intermediate_size").asInt(0);
                moe = new Architecture.Moe(first(file, c, "num_experts"), first(file, c, "num_experts_per_tok"),
                        first(file, c, "moe_intermediate_size"), shared, 0);
            }
            case "deepseek_v2", "deepseek_v3" -> {
                int expertFfn = first(file, c, "moe_intermediate_size");
                moe = new Architecture.Moe(first(file, c, "n_routed_experts"), first(file, c, "num_experts_per_tok"), expertFfn,
                        c.path("n_shared_experts").asInt(0) * expertFfn, c.path("first_k_dense_replace").asInt(0));
                mla = new Architecture.Mla(c.path("q_lora_rank").isIntegralNumber() ? c.get("q_lora_rank").asInt() : 0,
                        first(file, c, "kv_lora_rank"), first(file, c, "qk_nope_head_dim"), first(file, c, "qk_rope_head_dim"),
                        first(file, c, "v_head_dim"));
            }
            default -> {
                if (!GATED.contains(type) && !gpt2) {
                    throw new InputFileException(file, "model_type", "'" + type + "' is not a decoder whose parameters the studio counts; "
                            + "expected llama, mistral, qwen2, qwen3, gpt2, mixtral, qwen2_moe, qwen3_moe, deepseek_v2 or deepseek_v3");
                }
            }
        }
        return build(file, name, hidden, layers, heads, kv, headDim, ffn, vocab, tied, !gpt2, attentionBias, gpt2, gpt2, qkNorm, positions, moe, mla);
    }

    /** A Galvatron 3.0 model's fields (resolved as its {@code resolve_model_config} does), by Galvatron's names. */
    public static Architecture fromGalvatron3(Path file, String name, Map<String, JsonNode> f) {
        int hidden = required(file, f, "hidden_size");
        int layers = required(file, f, "num_layers");
        int heads = required(file, f, "num_attention_heads");
        int kv = integer(f, "num_query_groups", heads);
        int headDim = integer(f, "kv_channels", hidden / heads);
        int ffn = integer(f, "ffn_hidden_size", 4 * hidden);
        int vocab = required(file, f, "vocab_size");
        boolean tied = !bool(f, "untie_embeddings_and_output_weights", false);
        boolean gated = bool(f, "gated_linear_unit", false);
        boolean layerNorm = !text(f, "normalization", "LayerNorm").equalsIgnoreCase("RMSNorm");
        boolean learned = text(f, "position_embedding_type", "learned_absolute").equals("learned_absolute");
        Architecture.Moe moe = null;
        Integer experts = f.get("num_moe_experts") == null || f.get("num_moe_experts").isNull() ? null : f.get("num_moe_experts").asInt();
        if (experts != null) {
            moe = new Architecture.Moe(experts, integer(f, "moe_router_topk", 2), integer(f, "moe_ffn_hidden_size", ffn),
                    integer(f, "moe_shared_expert_intermediate_size", 0), 0);
        }
        int positions = learned ? integer(f, "max_position_embeddings", 0) : 0;
        return build(file, name, hidden, layers, heads, kv, headDim, ffn, vocab, tied, gated, bool(f, "add_qkv_bias", false),
                bool(f, "add_bias_linear", false), layerNorm, bool(f, "qk_layernorm", false), positions, moe, null);
    }

    /**
     * A shipped Galvatron preset or meta config: llama-family presets are LLaMA / Qwen2 decoders (untied but for the
     * small Qwen2.5 sizes; Qwen2 has QKV biases), gpt presets GPT-2 decoders (tied, LayerNorm, biases, learned
     * positions). Other families (BERT, T5, ViT, Swin) are not decoders: null.
     */
    public static Architecture of(ModelDescription m) {
        if (m.layerTypes().size() != 1) return null;
        int h = m.hiddenSize();
        int heads = m.attentionHeads() > 0 ? m.attentionHeads() : Math.max(1, h / 64);
        int kv = m.keyValueHeads() > 0 ? m.keyValueHeads() : heads;
        int vocab = m.vocabSize() > 0 ? m.vocabSize() : 32000;
        String name = m.name().toLowerCase(Locale.ROOT);
        return switch (m.family()) {
            case LLAMA_HF -> {
                boolean qwen = name.startsWith("qwen");
                yield build(null, m.name(), h, m.totalLayers(), heads, kv, h / heads, m.ffnHiddenSize(), vocab, TIED_PRESETS.contains(name), true,
                        qwen, false, false, false, 0, null, null);
            }
            case GPT_HF -> build(null, m.name(), h, m.totalLayers(), heads, kv, h / heads, m.ffnHiddenSize() > 0 ? m.ffnHiddenSize() : 4 * h,
                    vocab, true, false, true, true, true, false, m.maxSeqLength(), null, null);
            default -> null;
        };
    }

    private static Architecture build(Path file, String name, int hidden, int layers, int heads, int kv, int headDim, int ffn, int vocab,
                                      boolean tied, boolean gated, boolean attentionBias, boolean linearBias, boolean layerNorm,
                                      boolean qkNorm, int positions, Architecture.Moe moe, Architecture.Mla mla) {
        try {
            return new Architecture(name, hidden, layers, heads, kv, headDim, ffn, vocab, tied, gated, attentionBias, linearBias, layerNorm,
                    qkNorm, positions, moe, mla);
        } catch (IllegalArgumentException e) {
            throw new InputFileException(file, null, e.getMessage());
        }
    }

    private static int first(Path file, ObjectNode c, String... keys) {
        for (String k : keys) {
            JsonNode v = c.get(k);
            if (v != null && v.isIntegralNumber() && v.asLong() > 0 && v.asLong() < Integer.MAX_VALUE) return v.asInt();
        }
        throw new InputFileException(file, keys[0], "missing or not a positive integer" + (keys.length > 1 ? " (nor " + List.of(keys).subList(1, keys.length) + ")" : ""));
    }

    private static int required(Path file, Map<String, JsonNode> f, String key) {
        JsonNode v = f.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) throw new InputFileException(file, key, "missing or not a positive integer");
        return v.asInt();
    }

    private static int integer(Map<String, JsonNode> f, String key, int fallback) {
        JsonNode v = f.get(key);
        return v == null || v.isNull() || !v.canConvertToInt() ? fallback : v.asInt();
    }

    private static boolean bool(Map<String, JsonNode> f, String key, boolean fallback) {
        JsonNode v = f.get(key);
        return v == null || v.isNull() ? fallback : v.asBoolean(fallback);
    }

    private static String text(Map<String, JsonNode> f, String key, String fallback) {
        JsonNode v = f.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }
}
