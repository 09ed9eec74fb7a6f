package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluateCommandTest {
    static final Path SAMPLES = SampleConfigs.root();
    static final String S1 = SAMPLES.resolve("llama_hf/configs/galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json").toString();

    @Test
    void evaluatesTheShippedSampleWithNoOtherFlag() {
        CliRunner r = CliRunner.run("evaluate", "--model", "llama-7b", "--galvatron_config_path", S1, "--sample_configs", SAMPLES.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.out().contains("Throughput: 14.205435 samples/s"), r.out());
        assertTrue(r.out().contains("Iteration time: 4.505318 s"), r.out());
        assertTrue(r.out().contains("rule 9 (layers 0-31)"), r.out());
        assertTrue(r.out().contains("parameters") && r.out().contains("optimizer states") && r.out().contains("bubble"), r.out());
        assertTrue(r.err().contains("--sequence_parallel"), "explains the SP switch: " + r.err());
    }

    @Test
    void jsonOutputCarriesTheSameNumbers() throws Exception {
        CliRunner r = CliRunner.run("evaluate", "--model_size", "llama-7b", "--galvatron_config_path", S1, "--json",
                "--sequence_parallel", "--sample_configs", SAMPLES.toString());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(14.205435287722295, j.get("throughput_samples_per_s").asDouble(), 14.2 * 1e-6);
        assertEquals(2, j.get("stages").size());
        assertEquals(31853, j.get("stages").get(0).get("memory_mb").get("total").asInt());
        assertTrue(j.get("violations").size() > 0);
    }

    @Test
    void runnablePlanExitsZero(@TempDir Path dir) throws Exception {
        String tp = "2,".repeat(31) + "2";
        String ones = "1,".repeat(31) + "1";
        String zeros = "0,".repeat(31) + "0";
        Path cfg = dir.resolve("galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16.json");
        Files.writeString(cfg, "{\"pp_deg\": 2, \"tp_sizes_enc\": \"" + tp + "\", \"tp_consecutive_flags\": \"" + ones
                + "\", \"dp_types_enc\": \"" + zeros + "\", \"cp_sizes_enc\": \"" + ones + "\", \"use_sp\": \"" + zeros
                + "\", \"checkpoint\": \"" + zeros + "\", \"global_bsz\": 64, \"chunks\": 32, \"pp_division\": \"16,16\", "
                + "\"pipeline_type\": \"pipedream_flush\", \"default_dp_type\": \"zero2\", \"vtp\": 2, \"vsp\": 0, \"embed_sdp\": 0}");
        CliRunner r = CliRunner.run("evaluate", "--galvatron_config_path", cfg.toString(), "--sequence_parallel",
                "--sample_configs", SAMPLES.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("Runtime rules: all satisfied"), r.out());
    }

    @Test
    void missingConfigIsOneLineNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        CliRunner r = CliRunner.run("evaluate", "--galvatron_config_path", missing.toString(), "--sample_configs", SAMPLES.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("nope.json") && r.err().contains("not found"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void truncatedProfileNamesTheFile(@TempDir Path dir) throws Exception {
        Path mem = dir.resolve("memory_profiling_bf16_llama-7b.json");
        String full = Files.readString(SAMPLES.resolve("llama_hf/configs/memory_profiling_bf16_llama-7b.json"));
        Files.writeString(mem, full.substring(0, full.length() / 2));
        CliRunner r = CliRunner.run("evaluate", "--galvatron_config_path", S1, "--sequence_parallel", "--memory_profiling_path",
                dir.toString(), "--sample_configs", SAMPLES.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(mem.toString()) && r.err().contains("truncated"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void wrongKeyNamesFileKeyAndExpectation(@TempDir Path dir) throws Exception {
        Path mem = dir.resolve("mem.json");
        String full = Files.readString(SAMPLES.resolve("llama_hf/configs/memory_profiling_bf16_llama-7b.json"));
        Files.writeString(mem, full.replace("\"parameter_size\": 773.0166015625", "\"parameter_size\": \"big\""));
        CliRunner r = CliRunner.run("evaluate", "--galvatron_config_path", S1, "--sequence_parallel", "--memory_profiling_path",
                mem.toString(), "--sample_configs", SAMPLES.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("mem.json") && r.err().contains("layertype_0_sp.2048.parameter_size")
                && r.err().contains("expected a number"), r.err());
    }

    @Test
    void badConfigListNamesTheKey(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("galvatron_config_x_1nodes_8gpus_per_node_36GB_bf16.json");
        Files.writeString(cfg, Files.readString(Path.of(S1)).replace("\"tp_sizes_enc\": \"2,", "\"tp_sizes_enc\": \"[2,"));
        CliRunner r = CliRunner.run("evaluate", "--galvatron_config_path", cfg.toString(), "--sequence_parallel",
                "--sample_configs", SAMPLES.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("tp_sizes_enc") && r.err().contains("without brackets"), r.err());
    }

    @Test
    void helpListsTheCommands() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("evaluate") && r.out().contains("models"), r.out());
    }
}
