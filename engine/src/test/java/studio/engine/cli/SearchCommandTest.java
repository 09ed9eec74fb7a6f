package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gstudio search} with a user's search_dist.sh arguments, verbatim. */
class SearchCommandTest {
    static final Path SAMPLES = SampleConfigs.root();

    /** S1's command line: the arguments Galvatron's search ran with. */
    static List<String> s1Args(Path out) {
        List<String> a = new ArrayList<>(List.of("search", "--model_size", "llama-7b", "--num_gpus_per_node", "8", "--mixed_precision", "bf16",
                "--default_dp_type", "zero2", "--pipeline_type", "pipedream_flush", "--sequence_parallel", "--sp_space", "tp",
                "--fine_grained_mode", "1", "--search_space", "full", "--num_nodes", "1", "--memory_constraint", "36", "--settle_bsz", "64",
                "--time_profiling_path", SAMPLES.resolve("llama_hf/configs").toString(),
                "--memory_profiling_path", SAMPLES.resolve("llama_hf/configs").toString(),
                "--allreduce_bandwidth_config_path", SAMPLES.resolve("hardware_configs").toString(),
                "--p2p_bandwidth_config_path", SAMPLES.resolve("hardware_configs").toString(),
                "--overlap_coe_path", SAMPLES.resolve("hardware_configs").toString(),
                "--sp_time_path", SAMPLES.resolve("hardware_configs").toString(),
                "--output_config_path", out.toString(), "--log_dir", out.resolve("logs").toString(),
                "--sample_configs", SAMPLES.toString()));
        return a;
    }

    @Test
    void s1ArgumentsWriteGalvatronsConfigAndALog(@TempDir Path out) throws Exception {
        CliRunner r = CliRunner.run(s1Args(out).toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Throughput: 14.205435 samples/s"), r.out());
        Path cfg = out.resolve("galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json");
        assertTrue(Files.exists(cfg), r.out());
        JsonNode j = new ObjectMapper().readTree(cfg.toFile());
        assertEquals(2, j.get("pp_deg").asInt());
        assertEquals("16,16", j.get("pp_division").asText());
        assertEquals(32, j.get("chunks").asInt());
        assertEquals(2, j.get("vtp").asInt());
        assertTrue(j.get("cp_sizes_enc").asText().matches("1(,1){31}"));
        Path log = out.resolve("logs/llama-7b_1nodes_8gpus_36GB/search_galvatron-v2.log");
        String text = Files.readString(log);
        assertTrue(text.contains("Optimal bsz = 64 Optimal chunk = 32 Optimal vocab tp = 2"), text.substring(0, 400));
        assertTrue(text.contains("bsz=64 chunk=1 min_tp=1 max_tp=1 vsp=0 embed_sdp=0 sp_search=1"));
    }

    @Test
    void jsonSummaryAndParallelWorkers(@TempDir Path out) throws Exception {
        List<String> a = s1Args(out);
        a.addAll(List.of("--json", "--parallel_search", "--worker", "2"));
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(14.205435287722295, j.get("throughput_samples_per_s").asDouble(), 1e-6 * 14.2);
        assertEquals(4.5053177677219765, j.get("iteration_time_s").asDouble(), 1e-6 * 4.5);
        assertEquals(64, j.get("global_bsz").asInt());
        assertEquals(32, j.get("chunks").asInt());
        assertEquals(2, j.get("pp_deg").asInt());
        assertEquals(2, j.get("vtp").asInt());
        assertEquals(31853, j.get("stage_memory_mb").get(0).asInt());
        assertTrue(j.get("runtime_rules_broken").size() > 0, "the S1 optimum uses non-consecutive TP groups");
    }

    @Test
    void studioModeReturnsARunnablePlan(@TempDir Path out) throws Exception {
        List<String> a = s1Args(out);
        a.addAll(List.of("--mode", "studio", "--json"));
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(0, j.get("runtime_rules_broken").size(), r.out() + r.err());
        assertTrue(j.get("throughput_samples_per_s").asDouble() >= 14.1393);
    }

    @Test
    void searchSpacePresetNamesTheFileAsGalvatronDoes(@TempDir Path out) {
        List<String> a = s1Args(out);
        a.set(a.indexOf("--search_space") + 1, "dp+tp");
        a.addAll(List.of("--disable_ckpt", "1"));
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.exists(out.resolve("galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64_[pp_sdp_ckpt_off].json")),
                r.out());
    }

    @Test
    void nothingFitsWritesNoConfigAndSaysWhatWouldFit(@TempDir Path out) throws Exception {
        List<String> a = s1Args(out);
        int i = a.indexOf("--memory_constraint");
        a.set(i + 1, "6");
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(2, r.exitCode());
        assertTrue(r.out().contains("No valid configuration found") && r.out().contains("--memory_constraint "), r.out());
        try (var s = Files.list(out)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("galvatron_config_")));
        }
    }

    @Test
    void badOptionValuesAreOneLine(@TempDir Path out) {
        List<String> a = s1Args(out);
        a.set(a.indexOf("--search_space") + 1, "everything");
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(StudioCli.USAGE_ERROR, r.exitCode(), "a usage error has its own exit code (2 is \"does not fit\")");
        assertTrue(r.err().contains("--search_space") && r.err().contains("dp+tp"), r.err());
    }

    @Test
    void ulyssesOnlyIsSearchedThoughGalvatronTwoRefusesIt(@TempDir Path out) throws Exception {
        List<String> b = s1Args(out);
        b.set(b.indexOf("--sp_space") + 1, "sp");
        b.add("--json");
        CliRunner r = CliRunner.run(b.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        var j = studio.engine.io.JsonFiles.mapper().readTree(r.out());
        assertTrue(j.get("vtp").asInt() == 1 || j.get("vsp").asInt() == 1, "a Ulysses vocabulary: " + r.out());
        String config = Files.readString(Path.of(j.get("config").asText()));
        String[] tp = config.replaceAll("(?s).*\"tp_sizes_enc\": \"([^\"]*)\".*", "$1").split(",");
        String[] sp = config.replaceAll("(?s).*\"use_sp\": \"([^\"]*)\".*", "$1").split(",");
        for (int i = 0; i < tp.length; i++) assertTrue(tp[i].equals("1") || sp[i].equals("1"), "layer " + i + " is Ulysses: " + config);
    }

    /** The options are built in code, not read from annotations: each still parses, defaults and shows in the help. */
    @Test
    void everyOptionShowsInTheHelpAndDefaultsApply() {
        CliRunner help = CliRunner.run("search", "--help");
        assertEquals(0, help.exitCode(), help.err());
        for (String option : List.of("--model_size", "--sequence_parallel", "--costmodel_coe", "--sample_configs", "--mode", "YAML [OVERRIDE...]",
                "--model-folder", "--runtime-keys", "--search_space", "--settle_bsz", "--worker", "--embed_sdp", "--json", "--help", "--version")) {
            assertTrue(help.out().contains(option), option + " in\n" + help.out());
        }
        assertTrue(help.out().indexOf("--json") < help.out().indexOf("--help"), "help and version end the list, as picocli puts them");
        assertTrue(CliRunner.run("search", "-V").out().startsWith("gstudio "), "search -V prints the version");

        SearchCommand command = new SearchCommand(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()));
        new picocli.CommandLine(command.spec()).parseArgs("--model_size", "bert-large", "--sequence_parallel", "--costmodel_coe", "0.5",
                "--settle_bsz", "64", "--worker", "3", "cfg.yaml", "a=1");
        assertEquals("bert-large", command.args.modelSize);
        assertTrue(command.args.sequenceParallel && !command.args.noAsyncGradReduce && !command.json);
        assertEquals(0.5, command.args.costmodelCoe);
        assertEquals("bf16", command.args.mixedPrecision, "a default");
        assertEquals(null, command.args.numNodes, "no default: the config file name may give it");
        assertEquals(64, command.search.settleBsz);
        assertEquals(-1, command.search.settleChunk, "a default");
        assertEquals(3, command.search.worker);
        assertEquals(Path.of("logs"), command.search.logDir);
        assertEquals(List.of("cfg.yaml", "a=1"), command.yamlAndOverrides);
    }
}
