package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.JsonFiles;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parameter counts on the command line: {@code models --params} and {@code evaluate --json}. */
class ParametersCliTest {
    @Test
    void modelsParamsCountsHuggingFaceConfigsPresetsAndThreeYamls() throws Exception {
        CliRunner mixtral = CliRunner.run("models", "--params", SampleConfigs.root().resolve("hf_configs/Mixtral-8x7B-v0.1").toString(), "--json");
        assertEquals(0, mixtral.exitCode(), mixtral.err());
        JsonNode j = JsonFiles.mapper().readTree(mixtral.out());
        assertEquals(46_702_792_704L, j.get("total_parameters").asLong());
        assertEquals(12_879_925_248L, j.get("active_parameters_per_token").asLong());
        assertEquals(8, j.get("experts").asInt());
        CliRunner deepseek = CliRunner.run("models", "--params", SampleConfigs.root().resolve("hf_configs/DeepSeek-V2-Lite/config.json").toString());
        assertTrue(deepseek.out().contains("Not runnable by Galvatron's runtime"), deepseek.out());
        CliRunner llama = CliRunner.run("models", "--params", "llama-7b");
        assertTrue(llama.out().contains("Total parameters: 6,738,415,616"), llama.out());
        CliRunner bert = CliRunner.run("models", "--params", "bert-large");
        assertEquals(1, bert.exitCode());
        assertTrue(bert.err().contains("not a decoder"), bert.err());
    }

    @Test
    void evaluateReportsTotalActiveAndPerGpuParameters() throws Exception {
        Path plan = SampleConfigs.root().resolve("llama_hf/configs/galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json");
        CliRunner r = CliRunner.run("evaluate", "--json", "--galvatron_config_path", plan.toString());
        JsonNode j = JsonFiles.mapper().readTree(r.out());
        assertEquals(6_738_415_616L, j.get("total_parameters").asLong());
        assertEquals(6_738_415_616L, j.get("active_parameters_per_token").asLong());
        // pp 2, tp 2: 16 layers of (67,108,864 + 135,266,304) / 2 + 8,192 norms, and half the embedding; the head on stage 1
        assertEquals(1_684_668_416L, j.at("/stages/0/parameters_per_gpu").asLong());
        assertEquals(1_684_672_512L, j.at("/stages/1/parameters_per_gpu").asLong());
    }

    @Test
    void evaluateOfAThreePlanCountsFromTheModelYaml(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        List<String> a = new ArrayList<>(List.of("evaluate", "--json", "--galvatron_config_path",
                V3Cases.root().resolve("S01_base_1x8_36G/galvatron_config.json").toString(), V3Cases.shippedYaml().toString()));
        a.addAll(List.of("SEQ_LENGTH=2048", "MEMORY_CONSTRAINT=36", "search_engine.profiling_info.time_profile_mode=static"));
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        JsonNode j = JsonFiles.mapper().readTree(r.out());
        // Galvatron 3.0's llama2-7b.yaml says untie_embeddings_and_output_weights: false, so the model its runtime builds ties
        // the head to the embedding: the checkpoint's 6,738,415,616 less one 32000 x 4096 matrix
        assertEquals(6_607_343_616L, j.get("total_parameters").asLong(), "llama2-7b from its model YAML");
        assertFalse(j.at("/stages/0/parameters_per_gpu").isMissingNode());
    }
}
