package studio.engine.search.v3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.cli.CliRunner;
import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.ZeroRedundancy;
import studio.engine.cost.v3.ExpertLayer;
import studio.engine.cost.v3.Galvatron3CostModel;
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.model.ArchitectureReader;
import studio.engine.model.ParameterCount;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.TargetRuntime;
import studio.engine.plan.v3.HybridStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MoE layers in the studio's mode (docs/EXPERT_PARALLEL.md): the experts' states over the runtime's groups, the
 * all-to-alls, the ep group's placement on nodes, the load imbalance, the enumeration of layouts, and the shipped
 * Mixtral and Qwen3-MoE searches down to the config the 3.0 runtime reads.
 */
class ExpertParallelTest {
    private static final double MB = 1024.0 * 1024.0;
    @TempDir Path tmp;

    private static Path yaml(String model) {
        return SampleConfigs.root().resolve("galvatron3/models/moe/scripts/search_" + model + "_32k.yaml");
    }

    private List<String> overrides(String... more) {
        List<String> o = new ArrayList<>(List.of("+search_engine.options_info.output_config_path=" + tmp.resolve("configs"),
                "LOG_DIR=" + tmp.resolve("logs")));
        o.addAll(List.of(more));
        return o;
    }

    private Galvatron3Inputs mixtral(String... more) {
        return Galvatron3Inputs.load(yaml("mixtral-8x7b-e8k2"), overrides(more), null, true);
    }

    @Test
    void theExpertsStatesAreShardedOverTheExpertDataParallelGroup() {
        Galvatron3Inputs in = mixtral();
        Galvatron3CostModel c = in.costModel();
        ExpertLayer experts = new ExpertLayer(c.inputs());
        // 16 GPUs, one stage: tp 2 x dp 8, experts over ep 4 x etp 2, so edp = 16 / 8 = 2
        HybridStrategy s = new HybridStrategy(1, 2, 1, 1, 8, DpType.ZERO2, false, 4, 2);
        assertEquals(2, s.expertDataParallel());
        long perExpert = 3L * 4096 * 14336;
        ExpertLayer.Memory m = experts.memory(s, 8);
        assertEquals(8.0 / 4 * perExpert / 2 * 4 / MB, m.parameterMb(), 1e-9, "two local experts, each half of its width");
        assertEquals(4 * m.parameterMb() * ZeroRedundancy.zero2Ratio(2, 8, true, true), m.modelStatesMb(), 1e-9);
        // every expert parameter lives on ep x etp GPUs of each expert-data-parallel replica
        assertEquals(8.0 * perExpert, m.parameterMb() * MB / 4 * s.ep() * s.expertTp(), 1e-3);
        HybridStrategy zero3 = new HybridStrategy(1, 2, 1, 1, 8, DpType.ZERO3, false, 4, 2);
        assertEquals(4 * m.parameterMb() * ZeroRedundancy.zero3Ratio(2, 8, true, true), experts.memory(zero3, 8).modelStatesMb(), 1e-9);
        HybridStrategy noReplica = new HybridStrategy(1, 2, 1, 1, 8, DpType.ZERO3, false, 8, 2);
        ExpertLayer.Memory alone = experts.memory(noReplica, 8);
        assertEquals(4 * alone.parameterMb(), alone.modelStatesMb(), 1e-9, "edp 1: nothing to shard over");
        assertEquals(0, experts.memory(new HybridStrategy(1, 2, 1, 1, 8, DpType.ZERO2, true, 4, 2), 8).activationPerSampleMb(),
                "a checkpointed layer keeps only its input (the dense part's)");
    }

    @Test
    void fourAllToAllsPerLayerSixWithARecomputeAndNoneWithoutExpertParallelism() {
        ExpertLayer experts = new ExpertLayer(mixtral().costModel().inputs());
        HybridStrategy ep = new HybridStrategy(1, 1, 1, 1, 16, DpType.ZERO2, false, 8, 1);
        HybridStrategy epCheckpoint = new HybridStrategy(1, 1, 1, 1, 16, DpType.ZERO2, true, 8, 1);
        ExpertLayer.Time t = experts.time(ep, 1);
        assertTrue(t.allToAllMs() > 0);
        assertEquals(1.5 * t.allToAllMs(), experts.time(epCheckpoint, 1).allToAllMs(), 1e-9);
        assertEquals(0, experts.time(ep.withExperts(1, 8), 1).allToAllMs());
        assertTrue(experts.time(ep.withExperts(1, 8), 1).expertTpMs() > 0, "expert TP all-gathers and reduce-scatters instead");
        assertEquals(0, experts.time(ep, 1).expertTpMs());
        // the busiest rank of an ep group does loadImbalance times the mean work; without ep every GPU does its own
        double imbalance = mixtral().costModel().settings().experts().loadImbalance();
        assertEquals(1.25, imbalance, 0, "no capacity factor set: Switch Transformer's 1.25");
        assertEquals(imbalance, t.forwardMs() / experts.time(ep.withExperts(1, 1), 1).forwardMs(), 1e-12);
        double set = new ExpertLayer(mixtral("+search_engine.model_info.moe_load_imbalance=1.5").costModel().inputs()).time(ep, 1).forwardMs();
        assertEquals(1.5 / 1.25, set / t.forwardMs(), 1e-12);
    }

    @Test
    void anExpertGroupSpreadOverNodesTakesTheAllToAllTableOfWholeNodes() {
        ExpertLayer experts = new ExpertLayer(mixtral().costModel().inputs());
        // one stage of 16 on 2 x 8: ep members are 16 / ep apart, so any ep > 1 spans both nodes
        assertEquals(16, experts.epTableSize(new HybridStrategy(1, 1, 1, 1, 16, DpType.ZERO2, false, 2, 1)));
        assertEquals(16, experts.epTableSize(new HybridStrategy(1, 1, 1, 1, 16, DpType.ZERO2, false, 8, 2)));
        // two stages of 8: each stage is one node, the group stays inside it
        assertEquals(8, experts.epTableSize(new HybridStrategy(2, 1, 1, 1, 8, DpType.ZERO2, false, 8, 1)));
        assertEquals(2, experts.epTableSize(new HybridStrategy(2, 1, 1, 1, 8, DpType.ZERO2, false, 2, 1)));
    }

    @Test
    void everyExpertLayoutIsOneTheRuntimeBuilds() {
        ExpertSpace space = new ExpertSpace(8, 14336, 16, 8);
        StrategyEnumeration e = StrategyEnumeration.of(16, 32, DpType.ZERO2, SpaceLimits.defaults(), space);
        for (HybridStrategy s : e.layers()) assertTrue(space.allows(s.ep(), s.expertTp(), s.stageGpus()), s.label());
        assertTrue(e.vocabulary().stream().noneMatch(HybridStrategy::placesExperts), "the vocabulary has no experts");
        HybridStrategy dense = new HybridStrategy(1, 1, 1, 1, 16, DpType.ZERO2, false);
        long layouts = e.layers().stream().filter(s -> s.withExperts(1, 1).equals(dense)).count();
        // ep in {1, 2, 4, 8} (divides 8 experts) x etp in {1, 2, 4, 8}, ep x etp dividing 16: 4 + 4 + 3 + 2
        assertEquals(13, layouts);
        assertEquals(StrategyEnumeration.of(16, 32, DpType.ZERO2, SpaceLimits.defaults()).layers().size() * 1L,
                e.layers().stream().filter(s -> !s.placesExperts()).count(), "each dense strategy once without a layout");
    }

    @Test
    void theShippedMixtralSearchWritesAConfigTheRuntimeReadsAndThatEvaluatesToTheSearchedPlan() throws Exception {
        CliRunner r = CliRunner.run(cli(yaml("mixtral-8x7b-e8k2"), "search_engine.model_info.set_layernum_manually=1",
                "+search_engine.model_info.num_layers=4", "SEQ_LENGTH=8192"));
        assertEquals(0, r.exitCode(), r.err());
        var j = studio.engine.io.JsonFiles.mapper().readTree(r.out());
        assertTrue(r.out().contains("ESTIMATED"), "the estimated profiles are labelled: " + r.out());
        Path config = Path.of(j.get("config").asText());
        assertTrue(config.startsWith(tmp), config.toString());
        String text = Files.readString(config);
        assertTrue(text.contains("\"ep_sizes_enc\"") && text.contains("\"tp_of_ep_sizes_enc\""), text);
        var loaded = GalvatronConfig.read(config, 16, studio.engine.plan.PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2, TargetRuntime.GALVATRON_V3);
        assertTrue(loaded.plan().placesExperts(), "the layout is read back");
        Galvatron3Inputs in = mixtral("search_engine.model_info.set_layernum_manually=1", "+search_engine.model_info.num_layers=4", "SEQ_LENGTH=8192");
        var estimate = in.evaluator().evaluate(loaded.plan());
        assertEquals(j.get("throughput_samples_per_s").asDouble(), estimate.throughput(), 1e-9);
        assertTrue(estimate.violations().isEmpty(), estimate.violations().toString());
        var stage = estimate.memory().get(0);
        assertTrue(stage.expertStatesMb() > 0 && stage.expertStatesMb() < stage.parametersMb() + stage.gradientsMb() + stage.optimizerStatesMb(),
                "the experts' share of the model states is reported: " + stage);
    }

    @Test
    void withoutRoomForEveryExpertOnEachGpuTheSearchSplitsThem() throws Exception {
        // Qwen3-30B-A3B on one node at 8k: 30.5 B parameters do not fit 64 GB of states per GPU unless the experts split
        CliRunner r = CliRunner.run(cli(yaml("qwen3-30b-a3b"), "NUM_NODES=1", "SEQ_LENGTH=4096",
                "search_engine.model_info.set_layernum_manually=1", "+search_engine.model_info.num_layers=24", "MEMORY_CONSTRAINT=40"));
        assertEquals(0, r.exitCode(), r.err() + r.out());
        var j = studio.engine.io.JsonFiles.mapper().readTree(r.out());
        String config = Files.readString(Path.of(j.get("config").asText()));
        assertTrue(config.matches("(?s).*\"(ep_sizes_enc|tp_of_ep_sizes_enc)\": \"[0-9,]*[248][0-9,]*\".*"), config);
    }

    @Test
    void aModelThatFitsNowhereNamesTheBudgetThatWould() {
        CliRunner r = CliRunner.run(cli(yaml("mixtral-8x7b-e8k2"), "NUM_NODES=1", "SEQ_LENGTH=4096"));
        assertEquals(2, r.exitCode(), r.out());
        assertTrue(r.err().contains("memory_constraint") && r.err().contains("would fit"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void theShippedModelYamlsCountTheCheckpointsParameters() {
        for (var e : List.of(java.util.Map.entry("mixtral-8x7b-e8k2", 46_702_792_704L), java.util.Map.entry("qwen3-30b-a3b", 30_532_122_624L))) {
            Galvatron3Inputs in = Galvatron3Inputs.load(yaml(e.getKey()), overrides(), null, true);
            var arch = ArchitectureReader.fromGalvatron3(in.yaml(), e.getKey(), in.model().values());
            assertNotNull(arch.moe());
            assertEquals(e.getValue(), new ParameterCount(arch).total(), e.getKey());
        }
    }

    @Test
    void measuredLayerPartsReplaceTheEstimatesAtTheirLength() throws Exception {
        Path measured = java.nio.file.Files.createDirectories(tmp.resolve("measured"));
        // what profile-model --layer-parts writes, as a node measured it
        java.nio.file.Files.writeString(measured.resolve(studio.engine.profile.v3.LayerParts.fileName("bf16", "mixtral-8x7b-e8k2")), """
                {"device": "NVIDIA H200", "torch": "2.6.0", "layertype_0_layer_bsz1_seq32768": 400.0,
                 "layertype_0_ring_bsz1_seq32768_cp2": 100.0, "layertype_0_ring_bsz1_seq32768_cp4": 24.0,
                 "layertype_0_dense_bsz1_seq32768": 150.0, "layertype_0_expert_tokens8192": 41.0}
                """);
        Galvatron3Inputs estimated = mixtral();
        Galvatron3Inputs in = mixtral("+search_engine.profiling_info.time_profiling_path=" + measured);
        assertEquals(41.0 / 8192, in.settings().cost().experts().forwardMsPerAssignment(), 1e-15);
        assertEquals(150.0, in.profile().layerForward().msFor(1), 1e-9, "the dense part, a sample");
        assertEquals((2 * 100.0 / 400 + 4 * 24.0 / 400) / 2, in.settings().cost().ring().attentionShare(), 1e-12);
        assertTrue(in.departures().stream().anyMatch(d -> d.startsWith("MEASURED: the MoE layer's compute from layer_parts_profiling_bf16_")),
                String.join("\n", in.departures()));
        assertTrue(estimated.departures().stream().noneMatch(d -> d.startsWith("MEASURED")));
        org.junit.jupiter.api.Assertions.assertNotEquals(estimated.settings().cost().experts().forwardMsPerAssignment(),
                in.settings().cost().experts().forwardMsPerAssignment());
        // measured at another length: not used, and said
        Galvatron3Inputs other = mixtral("+search_engine.profiling_info.time_profiling_path=" + measured, "SEQ_LENGTH=8192");
        assertEquals(mixtral("SEQ_LENGTH=8192").settings().cost().experts().forwardMsPerAssignment(),
                other.settings().cost().experts().forwardMsPerAssignment());
        assertTrue(other.departures().stream().anyMatch(d -> d.contains("was measured at sequence length 32768, the search is at 8192: not used")));
    }

    private String[] cli(Path yaml, String... more) {
        List<String> a = new ArrayList<>(List.of("search", "--mode", "studio", "--json", yaml.toString()));
        a.addAll(overrides(more));
        return a.toArray(String[]::new);
    }
}
