package studio.engine.search.v3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.cli.CliRunner;
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.plan.v3.HybridStrategy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Galvatron 3.0's own search outputs reproduced task by task: every sub-search's throughput, memory, vocabulary
 * strategy and per-layer plan, the winner, and the config file byte for byte (v3 spec §8).
 */
class Galvatron3ConformanceTest {
    /** Fits are OLS rather than MINPACK's curve_fit: about 1e-9 relative (spec §2.3); the issue asks 1e-6. */
    private static final double REL = 1e-8;

    @TempDir Path tmp;

    @Test
    void s01ShippedYamlReproducesEveryTaskAndTheConfig() throws IOException {
        CliRunner r = CliRunner.run(cli(V3Cases.shippedYaml(), V3Cases.s01Overrides(tmp)));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Throughput: 16.533148 samples/s"), r.out());
        assertSameConfig("S01_base_1x8_36G", tmp.resolve("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16.json"));
        Search3Result result = search(V3Cases.shippedYaml(), V3Cases.s01Overrides(tmp));
        assertTasks("S01_base_1x8_36G", result);
        assertEquals(16.53314837203407, result.best().throughput(), 16.53314837203407 * REL);
        assertEquals(List.of(33837, 29645), Arrays.stream(result.best().memoryUsedMb()).boxed().toList());
    }

    @Test
    void t01FineGrainedEndToEndOfGalvatronsOwnTest() throws IOException {
        Path yaml = V3Cases.testYaml(tmp);
        Search3Result result = search(yaml, List.of());
        assertEquals(18, result.tasks().size());
        assertTasks("T01_test_e2e_fg1_chunk32", result);
        assertEquals(2.6485091403918064, result.best().throughput(), 2.6485091403918064 * 1e-6);
        assertEquals(new SearchTask(64, 32, 1, studio.engine.cost.v3.TensorParallelMode.TP_ONLY, 8), result.best().task());
        CliRunner r = CliRunner.run(cli(yaml, List.of()));
        assertEquals(0, r.exitCode(), r.err());
        assertSameConfig("T01_test_e2e_fg1_chunk32", tmp.resolve("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json"));
    }

    @Test
    void t02CoarseEndToEndOfGalvatronsOwnTest() throws IOException {
        Path yaml = V3Cases.testYaml(tmp);
        List<String> coarse = List.of("search_engine.batch_size_info.settle_chunk=8", "search_engine.options_info.fine_grained_mode=0");
        Search3Result result = search(yaml, coarse);
        assertEquals(24, result.tasks().size());
        assertTasks("T02_test_e2e_fg0_chunk8", result);
        assertEquals(2.5246283459057333, result.best().throughput(), 2.5246283459057333 * 1e-6);
        CliRunner r = CliRunner.run(cli(yaml, coarse));
        assertEquals(0, r.exitCode(), r.err());
        assertSameConfig("T02_test_e2e_fg0_chunk8", tmp.resolve("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json"));
        assertTrue(r.out().contains("vocab_sdp"), "the ZeRO-3 vocabulary the 3.0 runtime would not apply is pointed out: " + r.out());
    }

    @Test
    void runtimeKeysAddWhatTheRuntimeReadsAndTheSearchDropsInGalvatron() throws IOException {
        Path yaml = V3Cases.testYaml(tmp);
        CliRunner r = CliRunner.run(cli(yaml, List.of("search_engine.batch_size_info.settle_chunk=8",
                "search_engine.options_info.fine_grained_mode=0"), "--runtime-keys", "--json"));
        assertEquals(0, r.exitCode(), r.err());
        String config = Files.readString(tmp.resolve("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json"));
        assertTrue(config.contains("\"vocab_sdp\": 1"), config);
        assertTrue(config.contains("\"cp_sizes_enc\": \"" + String.join(",", java.util.Collections.nCopies(28, "1")) + "\""), config);
        assertTrue(config.contains("\"vcp\": 1"), config);
        assertTrue(r.out().contains("\"mode\" : \"galvatron-v3\""), r.out());
    }

    @Test
    void disabledDimensionsNameTheConfigAndTheCostCoefficientScalesLayerTime() throws IOException {
        List<String> o = new java.util.ArrayList<>(V3Cases.s01Overrides(tmp));
        o.addAll(List.of("+search_engine.search_space_info.disable_fsdp=1", "+search_engine.search_space_info.disable_ckpt=1"));
        CliRunner r = CliRunner.run(cli(V3Cases.shippedYaml(), o));
        assertEquals(0, r.exitCode(), r.err());
        Path config = tmp.resolve("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_[fsdp_ckpt_off].json");
        assertTrue(Files.isRegularFile(config), r.out());
        String text = Files.readString(config);
        String dpTypes = text.replaceAll("(?s).*\"dp_types_enc\": \"([^\"]*)\".*", "$1");
        String checkpoint = text.replaceAll("(?s).*\"checkpoint\": \"([^\"]*)\".*", "$1");
        assertTrue(!dpTypes.contains("1") && !checkpoint.contains("1"), "no ZeRO-3, no checkpointing: " + text);
        Search3Result base = search(V3Cases.shippedYaml(), V3Cases.s01Overrides(tmp));
        List<String> slow = new java.util.ArrayList<>(V3Cases.s01Overrides(tmp));
        slow.add("+search_engine.debug_info.debug_costmodel_coe=2.0");
        Search3Result doubled = search(V3Cases.shippedYaml(), slow);
        assertTrue(doubled.best().throughput() < base.best().throughput() * 0.6, "layer time doubled, vocabulary time not");
        assertTrue(doubled.best().throughput() > base.best().throughput() * 0.45);
    }

    private static String[] cli(Path yaml, List<String> overrides, String... options) {
        List<String> a = new java.util.ArrayList<>(List.of("search"));
        a.addAll(List.of(options));
        a.add(yaml.toString());
        a.addAll(overrides);
        return a.toArray(String[]::new);
    }

    static Search3Result search(Path yaml, List<String> overrides) {
        Galvatron3Inputs in = Galvatron3Inputs.load(yaml, overrides, null);
        return new Galvatron3Search(in.costModel(), in.settings()).search(null);
    }

    private static void assertSameConfig(String caseId, Path written) throws IOException {
        assertEquals(Files.readString(V3Cases.root().resolve(caseId).resolve("galvatron_config.json")), Files.readString(written),
                "the config Galvatron 3.0 wrote, byte for byte");
    }

    static void assertTasks(String caseId, Search3Result result) {
        List<V3Cases.Row> rows = V3Cases.tasks(caseId);
        assertEquals(rows.size(), result.outcomes().size(), "task count");
        for (int i = 0; i < rows.size(); i++) {
            V3Cases.Row row = rows.get(i);
            TaskOutcome o = result.outcomes().get(i);
            String what = caseId + " task " + i + " " + o.task();
            assertEquals(List.of(row.batch(), row.chunks(), row.pp(), row.mode(), row.bufferTp()),
                    List.of(o.task().batch(), o.task().chunks(), o.task().pp(), o.task().mode().configName(), o.task().bufferTp()), what);
            if (row.throughput() <= 0) {
                assertEquals(row.throughput(), o.throughput(), what);
                continue;
            }
            assertEquals(row.throughput(), o.throughput(), row.throughput() * REL, what);
            assertEquals(row.memoryUsed(), join(o.memoryUsedMb()), what + " memory used");
            assertEquals(row.memoryRemain(), join(o.memoryRemainMb()), what + " memory remaining");
            HybridStrategy e = o.vocabulary();
            assertEquals(List.of(row.vtp(), row.vsp(), row.embedSdp()), List.of(e.tensorOrSequenceDegree(), e.sp() > 1 ? 1 : 0, e.zero3() ? 1 : 0), what + " vocabulary");
            assertEquals(row.strategies(), o.layers().stream().map(HybridStrategy::simpleString).collect(Collectors.joining(", ")), what + " plan");
        }
    }

    private static String join(int[] xs) {
        return Arrays.stream(xs).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
