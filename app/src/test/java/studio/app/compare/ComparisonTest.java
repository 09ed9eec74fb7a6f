package studio.app.compare;

import org.junit.jupiter.api.Test;
import studio.app.project.PlanningContext;
import studio.app.project.TestContexts;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.TargetRuntime;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans side by side: the differing layers, the deltas against the first plan, the uniform baseline. */
class ComparisonTest {
    private static final PlanningContext CTX = TestContexts.sample();

    private static ParallelPlan searched() {
        return TestContexts.loader().searchedPlan(CTX, 64);
    }

    @Test
    void flagsExactlyTheLayersThatDifferAndComputesTheDeltas() {
        ParallelPlan a = searched();
        List<LayerStrategy> ls = new ArrayList<>(a.layers());
        ls.set(3, ls.get(3).withCheckpoint(!ls.get(3).checkpoint()));
        ls.set(7, ls.get(7).withCheckpoint(!ls.get(7).checkpoint()));
        ParallelPlan b = a.withLayers(ls);
        Comparison c = Comparison.of(CTX, List.of(new NamedPlan("a", a), new NamedPlan("b", b)));
        assertEquals(2, c.differingLayers());
        assertTrue(c.rows().get(3).differs() && c.rows().get(7).differs() && !c.rows().get(0).differs());
        double expected = c.estimates().get(1).throughput() / c.estimates().get(0).throughput() - 1;
        assertEquals(expected, c.throughputDelta(1), 1e-15);
        assertEquals(c.estimates().get(1).peakMemoryMb() - c.estimates().get(0).peakMemoryMb(), c.peakMemoryDeltaMb(1));
        assertEquals(0.0, c.throughputDelta(0), 0.0);
    }

    @Test
    void layersThatDifferOnlyInContextParallelismOrExpertPlacementAreFlaggedToo() {
        ParallelPlan a = searched();
        List<Integer> cps = new ArrayList<>(a.cpSizes());
        cps.set(2, 2);
        List<studio.engine.plan.ExpertPlacement> ex = new ArrayList<>(a.experts());
        ex.set(5, new studio.engine.plan.ExpertPlacement(4, 2));
        ParallelPlan b = a.withCpSizes(cps).withExperts(ex);
        int[] stage = a.stageOfLayer();
        assertEquals(a.layers().get(2).form() + " cp2 @" + stage[2], Comparison.cell(b, 2, stage[2]));
        assertEquals(a.layers().get(5).form() + " ep4 etp2 @" + stage[5], Comparison.cell(b, 5, stage[5]));
        assertEquals(a.layers().get(0).form() + " @" + stage[0], Comparison.cell(b, 0, stage[0]));
    }

    @Test
    void refusesOneOrFivePlansAndPlansOfOtherModels() {
        ParallelPlan a = searched();
        assertThrows(IllegalArgumentException.class, () -> Comparison.of(CTX, List.of(new NamedPlan("a", a))));
        List<NamedPlan> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) five.add(new NamedPlan("p" + i, a));
        assertThrows(IllegalArgumentException.class, () -> Comparison.of(CTX, five));
        ParallelPlan shorter = a.withLayers(a.layers().subList(0, 30)).withPipelineDivision(List.of(15, 15));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Comparison.of(CTX, List.of(new NamedPlan("a", a), new NamedPlan("short", shorter))));
        assertTrue(e.getMessage().contains("30 layers"), e.getMessage());
    }

    @Test
    void theUniformBaselineUsesOneStrategyForEveryLayerUnderEitherTarget() {
        NamedPlan v2 = Comparison.uniformBaseline(CTX, 64);
        assertEquals(1, v2.plan().layers().stream().distinct().count(), v2.name());
        PlanningContext three = CTX.with(CTX.settings().withTarget(TargetRuntime.GALVATRON_V3));
        NamedPlan v3 = Comparison.uniformBaseline(three, 64);
        assertEquals(1, v3.plan().layers().stream().distinct().count(), v3.name());
        assertTrue(v3.name().contains("Galvatron 3.0"), v3.name());
        assertFalse(three.evaluator().evaluate(v3.plan()).throughput() <= 0);
    }
}
