package studio.engine.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.Conformance;
import studio.engine.cost.CostModel;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.plan.PlanValidator;
import studio.engine.schedule.PipelineSchedule;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Studio mode never returns a plan Galvatron's runtime cannot build, and judged by Galvatron's own cost model is
 * never slower than the best runnable plan Galvatron's search finds (its search with --disable_tp_consec 1).
 */
class StudioModeTest {
    private static void compare(String name, CostModel cm, SearchOptions base) {
        // Galvatron's best runnable plan: its search without non-consecutive TP groups, and, where its plan still breaks a
        // runtime rule (e.g. tp 8 with 28 attention heads), with the TP degree capped until it does not
        SearchResult v2 = null;
        for (int maxTp = cm.options().worldSize(); maxTp >= 1; maxTp /= 2) {
            SearchOptions o = new SearchOptions(base.searchSpace(), base.disableDp(), base.disableTp(), base.disablePp(),
                    base.disableSdp(), base.disableCkpt(), true, maxTp, base.maxPpDeg(), base.minBsz(), base.maxBsz(), base.bszScale(),
                    base.settleBsz(), base.settleChunk(), false, base.fineGrained(), 1, SearchMode.GALVATRON_V2, null);
            v2 = new SearchEngine(cm, o).search();
            if (v2.found() && PlanValidator.validate(v2.plan(), cm.profiles().model(), cm.options().worldSize(),
                    cm.options().sequenceParallel()).isEmpty()) break;
        }
        SearchResult studio = new SearchEngine(cm, base.withMode(SearchMode.STUDIO)).search();
        SearchResult v2any = new SearchEngine(cm, base).search();
        System.out.printf(Locale.ROOT, "[studio] %s: galvatron-v2 %.6f (runnable %.6f, pp %d) vs studio %.6f (pp %d, division %s) samples/s%n",
                name, v2any.throughput(), v2.throughput(), v2.found() ? v2.plan().pp() : 0, studio.throughput(),
                studio.found() ? studio.plan().pp() : 0, studio.found() ? studio.plan().pipelineDivision() : List.of());
        assertTrue(studio.found());
        // judged by Galvatron's cost model (the evaluator recomputes it independently of the search)
        PlanEstimate e = new PlanEvaluator(cm).evaluate(studio.plan(), studio.best().minTp(), studio.best().maxTp(), List.of());
        // side by side: each plan under Galvatron's closed form and under the schedule simulator (issue 15, item 2)
        if (v2.found()) {
            PlanEstimate g = new PlanEvaluator(cm).evaluate(v2.plan(), v2.best().minTp(), v2.best().maxTp(), List.of());
            var reduce = PipelineSchedule.GradientReduce.of(cm.options().asyncGradReduce());
            double gSim = PipelineSchedule.of(v2.plan(), g, reduce, null).makespanMs() / 1000;
            double sSim = PipelineSchedule.of(studio.plan(), e, reduce, null).makespanMs() / 1000;
            System.out.printf(Locale.ROOT, "[studio] %s iteration (s)   closed form   simulated%n  galvatron-v2 %s  %11.4f %11.4f%n"
                            + "  studio       %s  %11.4f %11.4f%n", name, v2.plan().pipelineDivision(), g.iterationS(), gSim,
                    studio.plan().pipelineDivision(), e.iterationS(), sSim);
        }
        Conformance.assertRel(studio.throughput(), e.throughput(), "studio throughput re-evaluated");
        assertTrue(e.fitsMemory(), "fits: " + e.memory());
        assertTrue(studio.throughput() >= v2.throughput() * (1 - 1e-12), name + ": studio slower than galvatron-v2 runnable");
        var rules = PlanValidator.validate(studio.plan(), cm.profiles().model(), cm.options().worldSize(), cm.options().sequenceParallel());
        assertTrue(rules.isEmpty(), name + ": studio plan breaks " + rules);
    }

    @Test
    void s1() {
        compare("S1", S1SearchTest.s1CostModel(), S1SearchTest.s1Options());
    }

    @Test
    void s1ReducingGradientsEveryMicroBatch() {
        // --no_async_grad_reduce: Galvatron's formula counts the reduce once; the studio's schedule once a micro-batch
        CostModel async = S1SearchTest.s1CostModel();
        var o = async.options();
        CostModel every = new CostModel(async.profiles(), new studio.engine.cost.CostModelOptions(o.worldSize(), o.memoryConstraintGb(),
                o.mixedPrecision(), false, o.sequenceParallel(), o.spSpace(), o.pipelineType(), o.defaultDpType(), o.disableVtp(),
                o.globalMemoryBuffer(), o.costmodelCoe()));
        compare("S1 --no_async_grad_reduce", every, S1SearchTest.s1Options());
    }

    @Test
    void goldenCases(@TempDir Path dir) {
        CostModel cm = new CostModel(Conformance.e2eBundle(dir), Conformance.e2eOptions());
        compare("golden case 0", cm, SearchOptions.defaults().withSettle(64, 32));
        compare("golden case 1", cm, SearchOptions.defaults().withSettle(64, 8).withFineGrained(false));
        // every chunk count: pipeline degrees up to 8 over 28 layers, where Galvatron's even split is 3,3,3,3,3,3,3,7
        compare("golden, all chunks", cm, SearchOptions.defaults().withSettle(64, -1));
    }
}
