package studio.engine.estimate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.cli.CliRunner;
import studio.engine.conformance.S1Inputs;
import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.CostModel;
import studio.engine.cost.PlanEvaluator;
import studio.engine.profile.ProfileLoader;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.ProfilePaths;
import studio.engine.profile.TimeProfileMode;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Searching on estimates, hardware presets, and the command line. */
class EstimatedSearchTest {
    @Test
    void aSearchOnEstimatesPicksAPlanWithinThreePercentOfTheMeasuredOptimum(@TempDir Path dir) throws Exception {
        Path root = SampleConfigs.root();
        ModelDescription llama = new ModelCatalog(root).resolve("llama-7b");
        EstimatedInputs.write(llama, "A100-80GB-SXM", 1, 8, "bf16", dir, root.resolve("hardware_configs"), true, true);
        HardwareProfile hw = HardwareProfile.read(8, dir.resolve(ProfilePaths.allreduceFile(1, 8)), dir.resolve(ProfilePaths.p2pFile(1, 8)),
                dir.resolve(ProfilePaths.OVERLAP_FILE), dir.resolve(ProfilePaths.spTimeFile(1, 8)));
        var estimated = new CostModel(ProfileLoader.load(llama, dir.resolve(ProfilePaths.computationFile("bf16", "llama-7b")),
                TimeProfileMode.STATIC, dir.resolve(ProfilePaths.memoryFile("bf16", "llama-7b")), MemoryProfileMode.STATIC, true, hw),
                S1Inputs.options());
        CostModel measured = S1Inputs.costModel();
        for (SearchMode mode : SearchMode.values()) {
            SearchOptions o = SearchOptions.defaults().withSettle(64, -1).withMode(mode);
            SearchResult onEstimates = new SearchEngine(estimated, o).search();
            SearchResult onMeasured = new SearchEngine(measured, o).search();
            var judged = new PlanEvaluator(measured).evaluate(onEstimates.plan(), onEstimates.best().minTp(), onEstimates.best().maxTp(), List.of());
            double gap = 1 - judged.throughput() / onMeasured.throughput();
            System.out.printf(Locale.ROOT, "[estimate] %s: plan chosen on estimates (pp %d, %s) runs at %.4f samples/s on the measured "
                            + "profiles vs %.4f for the measured optimum: %.2f%% slower (estimated throughput %.4f)%n", mode.cliName(),
                    onEstimates.plan().pp(), onEstimates.plan().layers().get(0).form(), judged.throughput(), onMeasured.throughput(),
                    gap * 100, onEstimates.throughput());
            assertTrue(judged.fitsMemory(), "fits on the measured profiles too");
            assertTrue(gap <= 0.03, mode + " gap " + gap);
        }
    }

    @Test
    void everyPresetWritesReadableHardwareFiles(@TempDir Path dir) throws Exception {
        for (String gpu : GpuCatalog.ids()) {
            for (int nodes : new int[] {1, 2, 4, 8, 16}) {
                Path d = dir.resolve(gpu + "-" + nodes);
                var w = HardwareEstimator.write(gpu, nodes, 8, d, SampleConfigs.root().resolve("hardware_configs"));
                HardwareProfile h = HardwareProfile.read(nodes * 8, d.resolve(ProfilePaths.allreduceFile(nodes, 8)),
                        d.resolve(ProfilePaths.p2pFile(nodes, 8)), d.resolve(ProfilePaths.OVERLAP_FILE), d.resolve(ProfilePaths.spTimeFile(nodes, 8)));
                assertTrue(h.lookup(nodes * 8) > 0);
                assertTrue(h.spAllreduce(2).slopeMsPerMb() > 0);
                boolean measured = gpu.equals("A100-80GB-SXM") && nodes <= 2;
                assertEquals(!measured, w.estimated() && !w.source().startsWith("Galvatron's measured"), gpu + " " + nodes + ": " + w.source());
                if (nodes > 1) assertTrue(h.coe(8, 0) > h.coe(8, 1), "groups across nodes are slower than inside one: " + gpu);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> GpuCatalog.gpu("TPU-v5"));
    }

    @Test
    void commandLineSearchesLlama2_70bOnEightH100Nodes(@TempDir Path out) throws Exception {
        CliRunner r = CliRunner.run("search", "--model", "llama2-70b", "--gpu", "H100-80GB-SXM", "--num_nodes", "8", "--sequence_parallel",
                "--default_dp_type", "zero2", "--pipeline_type", "pipedream_flush", "--settle_bsz", "512", "--settle_chunk", "256",
                "--output_config_path", out.toString(), "--log_dir", out.resolve("logs").toString(),
                "--sample_configs", SampleConfigs.root().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Profiles: ESTIMATED") && r.err().contains("estimated, not measured"), r.out());
        assertTrue(Files.exists(out.resolve("galvatron_config_llama2-70b_8nodes_8gpus_per_node_80GB_bf16_bsz512.json")), r.out());
    }

    @Test
    void profilesEstimateWritesGalvatronNamedFiles(@TempDir Path out) {
        CliRunner r = CliRunner.run("profiles", "estimate", "--model", "qwen2.5-7b", "--gpu", "H200-SXM", "--nodes", "2",
                "--output_dir", out.toString(), "--sample_configs", SampleConfigs.root().toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String f : List.of("computation_profiling_bf16_qwen2.5-7b.json", "memory_profiling_bf16_qwen2.5-7b.json",
                "allreduce_bandwidth_2nodes_8gpus_per_node.json", "p2p_bandwidth_2nodes_8gpus_per_node.json", "overlap_coefficient.json",
                "sp_time_2nodes_8gpus_per_node.json")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        CliRunner bad = CliRunner.run("profiles", "estimate", "--model", "llama-7b", "--gpu", "B300", "--output_dir", out.toString(),
                "--sample_configs", SampleConfigs.root().toString());
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("unknown GPU 'B300'") && bad.err().contains("H100-80GB-SXM"), bad.err());
    }

    @Test
    void badShapesAreRefused(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("odd");
        Files.createDirectories(cfg);
        Files.writeString(cfg.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 1000, \"intermediate_size\": 4000,"
                + "\"num_attention_heads\": 12, \"num_hidden_layers\": 4, \"max_position_embeddings\": 512, \"vocab_size\": 1000}");
        var m = new ModelCatalog(SampleConfigs.root()).resolve(cfg.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProfileEstimator(Calibration.a100()).computation(m, GpuCatalog.gpu("H100-80GB-SXM"), "bf16"));
        assertTrue(e.getMessage().contains("12 attention heads do not divide the hidden size 1000"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"));
    }
}
