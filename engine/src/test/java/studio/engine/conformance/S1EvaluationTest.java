package studio.engine.conformance;

import org.junit.jupiter.api.Test;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.profile.ProfileBundle;
import studio.engine.profile.ProfileLoader;
import studio.engine.cost.SpSpace;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static studio.engine.conformance.Conformance.assertRel;

/** The S1 plan (Galvatron's own search result on the shipped llama-7b profiles) evaluated on its inputs. */
class S1EvaluationTest {
    static PlanEvaluator s1Evaluator() {
        return new PlanEvaluator(S1Inputs.costModel());
    }

    @Test
    void s1ThroughputMatchesGalvatron() throws URISyntaxException {
        Path config = Path.of(S1EvaluationTest.class.getResource(
                "/conformance/S1/galvatron_config_hidden4096_head32_seqlen2048_1nodes_8gpus_per_node_36GB_bf16_bsz64.json").toURI());
        GalvatronConfig.Loaded loaded = GalvatronConfig.read(config, 8, PipelineType.GPIPE, DpType.DDP);
        PlanEstimate e = s1Evaluator().evaluate(loaded.plan(), 0, 0, loaded.fileViolations());
        assertRel(14.205435287722295, e.throughput(), "S1 throughput");
        assertRel(4.5053177677219765, e.iterationS(), "S1 iteration time");
        // Galvatron's log: memory cost [31853, 28525], remaining [5011, 8339] (remaining counts against the DP budget)
        assertEquals(31853, e.memory().get(0).totalMb());
        assertEquals(28525, e.memory().get(1).totalMb());
        assertEquals(2, e.minTp());
        assertEquals(2, e.maxTp());
        assertEquals(1, e.microBatchSize());
        // The plan uses non-consecutive TP groups of 2 on 4-GPU stages: the v2 runtime cannot build it.
        assertTrue(e.violations().stream().anyMatch(v -> v.rule() == 9), "rule 9 reported");
        assertTrue(e.violations().stream().anyMatch(v -> v.rule() == 1), "missing cp_sizes_enc reported");
        ConformanceCounter.add("s1_evaluation", 4);
    }

    @Test
    void layerValuesOfSection82() {
        PlanEvaluator ev = s1Evaluator();
        CostModel cm = ev.costModel();
        var s = studio.engine.plan.LayerStrategy.parse("2-2-2*");
        // §8.2: stage-0 layer w = 1417 with b_act 2, stage-1 w = 1193; layer time 0.0085605668 s at micro-batch 2
        assertEquals(1417, cm.layerMemory(s, 0, 64, 1, 2, 0).weightMb());
        assertEquals(1193, cm.layerMemory(s, 0, 64, 1, 2, 1).weightMb());
        assertRel(0.0085605668, cm.layerTime(s, 0, 2.0).totalS(), "layer time");
        assertRel(0.0083849425, cm.layerTime(s, 0, 2.0).noCommS(), "layer time no comm");
        var o = cm.otherMemory(s, 64, 1, 2, 2, false, false).get(2);
        assertEquals(1793, (int) Math.ceil(o[0]));
        assertEquals(16, (int) cm.globalBufferMb(1, 2, 2, 1));
    }
}
