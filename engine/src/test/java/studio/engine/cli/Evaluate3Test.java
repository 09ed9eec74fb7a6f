package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.io.JsonFiles;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gstudio evaluate} with a 3.0 YAML costs Galvatron 3.0's own outputs exactly as its search did. */
class Evaluate3Test {
    @TempDir Path tmp;

    private static JsonNode evaluate(int expectedExit, Path config, Path yaml, List<String> overrides) throws Exception {
        List<String> a = new ArrayList<>(List.of("evaluate", "--json", "--galvatron_config_path", config.toString(), yaml.toString()));
        a.addAll(overrides);
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(expectedExit, r.exitCode(), r.out() + r.err());
        return JsonFiles.mapper().readTree(r.out());
    }

    @Test
    void s01sConfigCostsWhatTheSearchReported() throws Exception {
        JsonNode j = evaluate(0, V3Cases.root().resolve("S01_base_1x8_36G/galvatron_config.json"), V3Cases.shippedYaml(),
                List.of("SEQ_LENGTH=2048", "MEMORY_CONSTRAINT=36", "search_engine.profiling_info.time_profile_mode=static"));
        assertEquals(16.53314837203407, j.get("throughput_samples_per_s").asDouble(), 16.53314837203407 * 1e-9);
        assertEquals(33837, j.at("/stages/0/memory_mb/total").asInt());
        assertEquals(29645, j.at("/stages/1/memory_mb/total").asInt());
        assertEquals("galvatron-v3", j.get("target").asText());
        assertEquals(0, j.get("violations").size());
    }

    @Test
    void t01AndT02ConfigsToo() throws Exception {
        Path yaml = V3Cases.testYaml(tmp);
        JsonNode t01 = evaluate(0, V3Cases.root().resolve("T01_test_e2e_fg1_chunk32/galvatron_config.json"), yaml, List.of());
        assertEquals(2.6485091403918064, t01.get("throughput_samples_per_s").asDouble(), 2.6485091403918064 * 1e-8);
        assertEquals(36811, t01.at("/stages/0/memory_mb/total").asInt());
        // T02's vocabulary is ZeRO-3 in embed_sdp only: the 3.0 runtime would not apply it, which evaluate says (exit 2)
        JsonNode t02 = evaluate(2, V3Cases.root().resolve("T02_test_e2e_fg0_chunk8/galvatron_config.json"), yaml, List.of());
        assertEquals(2.5246283459057333, t02.get("throughput_samples_per_s").asDouble(), 2.5246283459057333 * 1e-8);
        assertEquals(35671, t02.at("/stages/0/memory_mb/total").asInt());
        assertTrue(t02.get("violations").get(0).get("message").asText().contains("vocab_sdp"), t02.toString());
    }

    @Test
    void aConfigWithTheRuntimeKeysIsCleanAndAV2OptionIsRefused() throws Exception {
        Path yaml = V3Cases.testYaml(tmp);
        CliRunner s = CliRunner.run("search", "--runtime-keys", yaml.toString(), "search_engine.batch_size_info.settle_chunk=8",
                "search_engine.options_info.fine_grained_mode=0");
        assertEquals(0, s.exitCode(), s.err());
        Path config = tmp.resolve("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json");
        JsonNode j = evaluate(0, config, yaml, List.of("search_engine.batch_size_info.settle_chunk=8", "search_engine.options_info.fine_grained_mode=0"));
        assertEquals(0, j.get("violations").size(), j.toString());
        CliRunner bad = CliRunner.run("evaluate", "--galvatron_config_path", config.toString(), "--memory_constraint", "40", yaml.toString());
        assertEquals(StudioCli.USAGE_ERROR, bad.exitCode());
        assertTrue(bad.err().contains("search_engine.hardware_info.memory_constraint"), bad.err());
    }
}
