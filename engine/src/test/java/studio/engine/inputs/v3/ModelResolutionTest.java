package studio.engine.inputs.v3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import studio.engine.io.InputFileException;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Galvatron 3.0's resolve_model_config (v3 spec §2.2): inline values, then an HF config.json, then the model YAML. */
class ModelResolutionTest {
    @TempDir Path tmp;

    private List<String> overrides(String... more) {
        List<String> o = new ArrayList<>(V3Cases.s01Overrides(tmp));
        o.addAll(List.of(more));
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gpt2-small,768,12", "gpt2-xl,1600,48", "llama2-70b,8192,80", "mistral-7b,4096,32", "mixtral-8x7b-e8k2,4096,32",
            "qwen2.5-7b,3584,28", "llama2-7b,4096,32"})
    void everyShippedModelYamlGivesItsShapeWhileModelSizeStillNamesTheProfiles(String yaml, int hidden, int layers) {
        Galvatron3Inputs in = Galvatron3Inputs.load(V3Cases.shippedYaml(),
                overrides("search_engine.model_info.model_config_path=../model_configs/" + yaml + ".yaml"), null);
        assertEquals(hidden, in.settings().cost().hiddenSize());
        assertEquals(layers, in.settings().cost().layerCount());
        assertEquals("llama2-7b", in.settings().modelName(), "quirk Q-v3-2: model_size in the search YAML picks the profiles");
        assertTrue(in.profile().computationFile().getFileName().toString().contains("llama2-7b"));
        assertEquals(layers, in.modelDescription().totalLayers());
    }

    @Test
    void theModelYamlFillsOnlyWhatIsUnsetAndMoeFieldsAreKept() {
        Galvatron3Inputs in = Galvatron3Inputs.load(V3Cases.shippedYaml(),
                overrides("search_engine.model_info.model_config_path=../model_configs/mixtral-8x7b-e8k2.yaml", "+search_engine.model_info.num_layers=4"), null);
        assertEquals(4, in.settings().cost().layerCount(), "the search YAML's own value wins");
        assertEquals(8, in.model().integer("num_moe_experts"));
        assertEquals(2, in.model().integer("moe_router_topk") == null ? 2 : in.model().integer("moe_router_topk"));
        assertEquals(8, in.modelDescription().keyValueHeads(), "GQA from num_query_groups");
    }

    @Test
    void aLocalHuggingFaceConfigFillsTheFieldsFirst() throws Exception {
        Path hf = tmp.resolve("Llama-2-7b-hf");
        Files.createDirectories(hf);
        Files.writeString(hf.resolve("config.json"), """
                {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 24, "num_attention_heads": 32,
                 "num_key_value_heads": 8, "intermediate_size": 11008, "vocab_size": 32000, "max_position_embeddings": 4096,
                 "tie_word_embeddings": false}
                """);
        Galvatron3Inputs in = Galvatron3Inputs.load(V3Cases.shippedYaml(),
                overrides("+search_engine.model_info.hf_model_name_or_path=" + hf), null);
        assertEquals(24, in.settings().cost().layerCount(), "HF's num_hidden_layers before the model YAML's 32");
        assertEquals(8, in.model().integer("num_query_groups"));
        assertEquals(2048, in.settings().cost().seqLength(), "the search YAML's seq_length wins over max_position_embeddings");
        InputFileException missing = assertThrows(InputFileException.class, () -> Galvatron3Inputs.load(V3Cases.shippedYaml(),
                overrides("+search_engine.model_info.hf_model_name_or_path=meta-llama/Llama-2-7b-hf"), null));
        assertTrue(missing.getMessage().contains("hf_model_name_or_path") && missing.getMessage().contains("config.json"), missing.getMessage());
    }

    @Test
    void aMissingModelYamlNamesTheKeyAndTheFolderItResolvedFrom() {
        InputFileException e = assertThrows(InputFileException.class, () -> Galvatron3Inputs.load(V3Cases.shippedYaml(),
                overrides("search_engine.model_info.model_config_path=../model_configs/nope.yaml"), null));
        assertTrue(e.getMessage().contains("model_config_path") && e.getMessage().contains("model folder"), e.getMessage());
    }
}
