package studio.engine.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter counts against the checkpoints' exact counts and the published active figures (issue 14 item 1). */
class ParameterCountTest {
    @TempDir Path tmp;

    private static ParameterCount hf(String folder) {
        Path config = SampleConfigs.root().resolve("hf_configs").resolve(folder).resolve("config.json");
        return new ParameterCount(ArchitectureReader.fromHuggingFace(config, JsonFiles.readObject(config)));
    }

    @Test
    void mixtral8x7bHasTheCheckpointsExactCountAndAbout12point9BActive() {
        ParameterCount p = hf("Mixtral-8x7B-v0.1");
        assertEquals(46_702_792_704L, p.total());
        assertEquals(12.9e9, p.activePerToken(), 12.9e9 * 0.02);
        assertEquals(12_879_925_248L, p.activePerToken(), "attention, norms, router and two of eight experts per layer");
    }

    @Test
    void qwen3Moe30bA3bHasTheCheckpointsExactCountAndAbout3point3BActive() {
        ParameterCount p = hf("Qwen3-30B-A3B");
        assertEquals(30_532_122_624L, p.total(), "head_dim 128 over 32 heads (4096 > hidden 2048), QK norms, 128 experts of 768");
        assertEquals(3.3e9, p.activePerToken(), 3.3e9 * 0.02);
    }

    @Test
    void mixtral8x22bAndDeepSeekV2LiteMatchTheirPublishedSizes() {
        ParameterCount big = hf("Mixtral-8x22B-v0.1");
        assertEquals(141e9, big.total(), 141e9 * 0.005);
        assertEquals(39e9, big.activePerToken(), 39e9 * 0.01);
        Path config = SampleConfigs.root().resolve("hf_configs/DeepSeek-V2-Lite/config.json");
        Architecture ds = ArchitectureReader.fromHuggingFace(config, JsonFiles.readObject(config));
        assertEquals(15.7e9, new ParameterCount(ds).total(), 15.7e9 * 0.005, "MLA, 2 shared experts, the first layer dense");
        assertFalse(ds.runnableByGalvatron(), "MLA is planned as a what-if, never exported as runnable");
        assertTrue(ds.isMoeLayer(1) && !ds.isMoeLayer(0));
    }

    @Test
    void denseModelsCountExactly() throws Exception {
        Path gpt2 = tmp.resolve("gpt2/config.json");
        Files.createDirectories(gpt2.getParent());
        Files.writeString(gpt2, "{\"model_type\": \"gpt2\", \"n_embd\": 768, \"n_layer\": 12, \"n_head\": 12, \"vocab_size\": 50257, \"n_positions\": 1024}");
        assertEquals(124_439_808L, new ParameterCount(ArchitectureReader.fromHuggingFace(gpt2, JsonFiles.readObject(gpt2))).total(), "GPT-2 small");
        ModelDescription llama = new ModelCatalog(SampleConfigs.root()).resolve("llama-7b");
        assertEquals(6_738_415_616L, new ParameterCount(ArchitectureReader.of(llama)).total(), "LLaMA 7B");
        Path qwen = tmp.resolve("qwen/config.json");
        Files.createDirectories(qwen.getParent());
        Files.writeString(qwen, """
                {"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4,
                 "intermediate_size": 18944, "vocab_size": 152064, "tie_word_embeddings": false}""");
        assertEquals(7_615_616_512L, new ParameterCount(ArchitectureReader.fromHuggingFace(qwen, JsonFiles.readObject(qwen))).total(), "Qwen2.5-7B");
    }

    @Test
    void galvatronThreesMixtralYamlCountsAsTheCheckpoint() {
        Path yaml = SampleConfigs.root().resolve("galvatron3/models/model_configs/mixtral-8x7b-e8k2.yaml");
        ObjectNode y = studio.engine.io.HydraConfig.read(yaml);
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> f = new java.util.LinkedHashMap<>();
        y.properties().forEach(e -> f.put(e.getKey(), e.getValue()));
        assertEquals(46_702_792_704L, new ParameterCount(ArchitectureReader.fromGalvatron3(yaml, "mixtral-8x7b-e8k2", f)).total());
    }

    @Test
    void perGpuShareFollowsTensorExpertAndShardedParallelism() {
        ParameterCount p = hf("Mixtral-8x7B-v0.1");
        double full = p.layerPerGpu(0, 1, 1, 1, 1, 1);
        assertEquals(p.layer(0), full, 0.5);
        double tp2 = p.layerPerGpu(0, 2, 1, 1, 2, 1);
        assertTrue(tp2 < full / 2 + 100_000 && tp2 > full / 2, "TP and expert TP 2 halve every matrix, norms and router stay: " + tp2);
        assertEquals(full - p.attention() / 2.0, p.layerPerGpu(0, 2, 1, 1, 1, 1), 0.5, "experts follow expert TP, not the layer's TP");
        double ep8 = p.layerPerGpu(0, 1, 1, 8, 1, 1);
        assertEquals(p.layer(0) - 7 * p.expert(), ep8, 0.5, "ep 8: one expert each");
        assertEquals(ep8 / 4, p.layerPerGpu(0, 1, 4, 8, 1, 4), 0.5, "ZeRO-3 over 4");
    }
}
