package studio.engine.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.InputFileException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCatalogTest {
    final ModelCatalog catalog = new ModelCatalog(SampleConfigs.root());

    @Test
    void readsEveryShippedPreset() {
        assertTrue(catalog.presetNames().size() >= 20, catalog.presetNames().toString());
        for (String name : catalog.presetNames()) {
            ModelDescription m = catalog.resolve(name);
            assertTrue(m.totalLayers() > 0 && m.hiddenSize() > 0, name);
        }
    }

    @Test
    void galvatronFamiliesAndNames() {
        ModelDescription llama = catalog.resolve("llama-7b");
        assertEquals(32, llama.totalLayers());
        assertEquals(11008, llama.ffnHiddenSize());
        assertEquals("llama-7b", llama.profileName());
        ModelDescription gpt = catalog.resolve("gpt-1.5b");
        assertEquals("hidden1600_head32", gpt.profileName());
        assertEquals(1024, gpt.maxSeqLength());
        ModelDescription t5 = catalog.resolve("t5-3B");
        assertEquals(2, t5.layerTypes().size());
        ModelDescription swin = catalog.resolve("swin-huge-patch4-window7-224");
        assertEquals(4, swin.layerTypes().size());
        assertEquals(3136, swin.layerTypes().get(0).seqLength());
        assertEquals(640, swin.layerTypes().get(1).hiddenSize());
        ModelDescription vit = catalog.resolve("vit-huge-patch16-224");
        assertEquals(197, vit.maxSeqLength());
    }

    @Test
    void huggingFaceConfigs(@TempDir Path dir) throws Exception {
        Path qwen = dir.resolve("Qwen2.5-7B");
        Files.createDirectories(qwen);
        Files.writeString(qwen.resolve("config.json"), "{\"model_type\": \"qwen2\", \"hidden_size\": 3584, \"intermediate_size\": 18944,"
                + "\"num_attention_heads\": 28, \"num_hidden_layers\": 28, \"num_key_value_heads\": 4, \"max_position_embeddings\": 32768,"
                + "\"vocab_size\": 152064}");
        ModelDescription m = catalog.resolve(qwen.toString());
        assertEquals(ModelFamily.LLAMA_HF, m.family());
        assertEquals(4, m.keyValueHeads());
        assertEquals("Qwen2.5-7B", m.name());
        Path gpt2 = dir.resolve("gpt2.json");
        Files.writeString(gpt2, "{\"model_type\": \"gpt2\", \"n_embd\": 768, \"n_layer\": 12, \"n_head\": 12, \"n_positions\": 1024, \"vocab_size\": 50257}");
        assertEquals(12, ModelCatalog.read(gpt2).totalLayers());
        Path mistral = dir.resolve("mistral.json");
        Files.writeString(mistral, "{\"model_type\": \"mistral\", \"hidden_size\": 4096, \"num_attention_heads\": 32, \"num_hidden_layers\": 32}");
        InputFileException e = assertThrows(InputFileException.class, () -> ModelCatalog.read(mistral));
        assertTrue(e.getMessage().contains("mistral.json") && e.getMessage().contains("max_position_embeddings"), e.getMessage());
    }

    @Test
    void huggingFaceModelsAreNamedFromTheConfig(@TempDir Path dir) throws Exception {
        String body = "\"model_type\": \"qwen2\", \"hidden_size\": 1024, \"intermediate_size\": 2816, \"num_attention_heads\": 16, "
                + "\"num_hidden_layers\": 8, \"max_position_embeddings\": 32768, \"vocab_size\": 32000";
        Path generic = Files.createDirectories(dir.resolve("models")).resolve("config.json");
        Files.writeString(generic, "{" + body + "}");
        assertEquals("qwen2-h1024-l8", ModelCatalog.read(generic).name(), "a folder named 'models' names nothing");
        Files.writeString(generic, "{\"_name_or_path\": \"Qwen/Qwen2-0.5B\", " + body + "}");
        assertEquals("Qwen2-0.5B", ModelCatalog.read(generic).name());
        Path snapshot = Files.createDirectories(dir.resolve("snapshots/0123456789abcdef0123456789abcdef01234567")).resolve("config.json");
        Files.writeString(snapshot, "{" + body + "}");
        assertEquals("qwen2-h1024-l8", ModelCatalog.read(snapshot).name(), "a cache snapshot's hash names nothing");
    }

    @Test
    void unknownModelListsPresets() {
        InputFileException e = assertThrows(InputFileException.class, () -> catalog.resolve("llama-9000b"));
        assertTrue(e.getMessage().contains("llama-9000b") && e.getMessage().contains("llama-7b"), e.getMessage());
    }
}
