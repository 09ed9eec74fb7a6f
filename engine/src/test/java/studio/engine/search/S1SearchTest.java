package studio.engine.search;

import org.junit.jupiter.api.Test;
import studio.engine.conformance.Conformance;
import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The S1 search (llama-7b, 1 x 8 A100, 36 GB, batch 64) reproduced task by task. */
class S1SearchTest {
    static CostModel s1CostModel() {
        return studio.engine.conformance.S1Inputs.costModel();
    }

    static SearchOptions s1Options() {
        return SearchOptions.defaults().withSettle(64, -1);
    }

    @Test
    void reproducesEverySubSearchAndTheChosenPlan() {
        SearchResult r = new SearchEngine(s1CostModel(), s1Options()).search();
        System.out.println("[bench] S1 galvatron-v2 search: " + r.elapsedMs() + " ms");
        Conformance.assertRel(14.205435287722295, r.throughput(), "S1 throughput");
        int n = GalvatronTrace.compareTasks("S1/tasks.tsv", r);
        n += GalvatronTrace.compareCandidates("S1/pp_candidates.tsv", r);
        var expected = GalvatronConfig.read(java.nio.file.Path.of(Conformance.class.getResource(
                "/conformance/S1/galvatron_config_hidden4096_head32_seqlen2048_1nodes_8gpus_per_node_36GB_bf16_bsz64.json").getPath()),
                8, PipelineType.GPIPE, DpType.DDP).plan();
        assertEquals(expected, r.plan());
        System.out.println("[conformance] S1 search values matched: " + n);
    }
}
