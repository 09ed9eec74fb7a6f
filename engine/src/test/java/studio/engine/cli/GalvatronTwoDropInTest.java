package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a Galvatron v2 user's search_dist.sh passes, and once failed here (issue 13 item 4). */
class GalvatronTwoDropInTest {
    @TempDir Path out;

    private CliRunner search(String... extra) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("search", "--output_config_path", out.toString(),
                "--log_dir", out.resolve("logs").toString(), "--json"));
        a.addAll(java.util.List.of(extra));
        return CliRunner.run(a.toArray(String[]::new));
    }

    @Test
    void galvatronsOwnModelSizeNamesResolveAndNameTheProfilesAsGalvatronDoes() throws Exception {
        CliRunner swin = search("--model_size", "swin-huge", "--memory_constraint", "34", "--settle_bsz", "64");
        assertEquals(0, swin.exitCode(), swin.err());
        JsonNode j = JsonFiles.mapper().readTree(swin.out());
        assertTrue(Path.of(j.get("config").asText()).getFileName().toString().startsWith("galvatron_config_swin-huge_1nodes_8gpus"), j.toString());
        CliRunner bert = search("--model_size", "bert-large", "--memory_constraint", "23", "--settle_bsz", "128");
        assertEquals(0, bert.exitCode(), bert.err());
        assertTrue(JsonFiles.mapper().readTree(bert.out()).get("config").asText().contains("galvatron_config_hidden1024_head16_"), bert.out());
        CliRunner vit = search("--model_size", "vit-huge", "--num_gpus_per_node", "4", "--memory_constraint", "23", "--settle_bsz", "64");
        assertEquals(0, vit.exitCode(), vit.err());
        CliRunner models = CliRunner.run("models");
        for (String name : new String[] {"bert-base", "bert-huge-48", "swin-large", "vit-xhuge"}) assertTrue(models.out().contains(name), models.out());
    }

    @Test
    void aGalvatronNameWithoutShippedProfilesSaysWhichFileIsMissing() {
        CliRunner r = search("--model_size", "bert-huge-32", "--memory_constraint", "34");
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.err().contains("hidden1280_head16") && r.err().contains("file not found"), r.err());
    }

    @Test
    void t5sMultiLengthOtherKeysReadInBatchMode() throws Exception {
        CliRunner r = search("--model_size", "t5-3B", "--time_profile_mode", "batch", "--memory_constraint", "34", "--settle_bsz", "64");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(JsonFiles.mapper().readTree(r.out()).get("throughput_samples_per_s").asDouble() > 0);
    }

    @Test
    void evaluateAcceptsASearchScriptsArgumentsAndSaysWhichWereNotUsed() {
        Path plan = SampleConfigs.root().resolve("llama_hf/configs/galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json");
        assertTrue(Files.isRegularFile(plan));
        CliRunner r = CliRunner.run("evaluate", "--galvatron_config_path", plan.toString(), "--model_size", "llama-7b", "--fine_grained_mode", "1",
                "--max_tp_deg", "8", "--settle_bsz", "64", "--parallel_search", "--log_dir", out.toString());
        assertTrue(r.exitCode() == 0 || r.exitCode() == 2, "evaluated (2: a rule or the budget is broken): " + r.err());
        assertTrue(r.err().contains("search options not used by evaluate: --fine_grained_mode, --max_tp_deg, --settle_bsz, --parallel_search, --log_dir"), r.err());
        assertTrue(r.out().contains("Throughput"), r.out());
    }
}
