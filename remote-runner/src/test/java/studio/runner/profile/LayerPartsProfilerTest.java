package studio.runner.profile;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.profile.v3.LayerParts;
import studio.runner.RunnerCli;
import studio.testsupport.PythonTorch;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code profile-model --layer-parts} with real torch on this machine's CPU: a small Mixtral-shaped MoE layer (router,
 * eight SwiGLU experts, top-2) and its ring-attention steps measured, written in Galvatron's key style, and read back by
 * the engine as the 3.0 search reads it.
 */
class LayerPartsProfilerTest {
    @TempDir
    Path dir;

    @Test
    void anMoeLayerAndItsRingStepsAreMeasured() throws Exception {
        String python = PythonTorch.find();
        assumeTrue(python != null, "no Python with torch here (.ci/run installs python3-torch)");
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"model_type": "mixtral", "hidden_size": 256, "num_attention_heads": 8, "num_key_value_heads": 2, "intermediate_size": 512,
                 "num_hidden_layers": 4, "vocab_size": 1000, "num_local_experts": 8, "num_experts_per_tok": 2, "max_position_embeddings": 1024}
                """);
        Path out = dir.resolve("profiles");
        RunnerCli r = RunnerCli.run("profile-model", "--model-config", config.toString(), "--model-name", "tiny-mixtral", "--output", out.toString(),
                "--layer-parts", "--profile-batch-size", "2", "--profile-seq-length-list", "256", "--cp-degrees", "2,4", "--warmup", "1", "--iters",
                "3", "--device", "cpu", "--python", python);
        assertEquals(0, r.exitCode(), r.raw());
        assertEquals(5, r.named("profile_progress").size(), "the layer, two ring steps, the dense part, one expert: " + r.raw());
        Path file = out.resolve("layer_parts_profiling_bf16_tiny-mixtral.json");
        LayerParts parts = LayerParts.read(file);
        assertEquals(2, parts.batchSize());
        assertEquals(256, parts.seqLength());
        assertEquals(java.util.Set.of(2, 4), parts.ringStepMs().keySet());
        assertTrue(parts.experts());
        assertEquals(128, parts.expertTokens(), "balanced routing: 2 x 256 tokens x top-2 over 8 experts");
        assertTrue(parts.denseMs() < parts.layerMs() * 1.5, "the layer without its experts is not slower than with them (noise allowed)");
        assertNotNull(parts.attentionShare());
        assertTrue(parts.attentionShare() > 0 && parts.attentionShare() < 1, "a share: " + parts.attentionShare());
        JsonNode finished = r.named("profile_finished").get(0);
        assertEquals(file.toString(), finished.path("file").asText());
        assertEquals(parts.expertMsPerAssignment(), finished.path("expert_ms_per_token").asDouble(), 1e-12);
        try (var files = Files.list(out)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".tmp")), "written atomically");
        }
    }

    @Test
    void whatTheLayerPartsCannotBuildIsRefusedByName() throws Exception {
        Path config = Files.writeString(dir.resolve("gpt.json"), """
                {"model_type": "gpt2", "n_embd": 256, "n_head": 8, "n_layer": 2, "vocab_size": 1000, "n_positions": 512}
                """);
        RunnerCli r = RunnerCli.run("profile-model", "--model-config", config.toString(), "--output", dir.resolve("o").toString(), "--layer-parts",
                "--profile-seq-length-list", "256");
        assertTrue(r.exitCode() != 0, r.raw());
        assertTrue(r.raw().contains("llama-style layers"), r.raw());
        RunnerCli odd = RunnerCli.run("profile-model", "--model-config", config.toString(), "--output", dir.resolve("o").toString(), "--layer-parts",
                "--profile-seq-length-list", "256", "--cp-degrees", "3");
        assertTrue(odd.exitCode() != 0 && odd.raw().contains("--cp-degrees"), odd.raw());
    }
}
