package studio.app.explain;

import org.junit.jupiter.api.Test;
import studio.app.project.PlanningContext;
import studio.app.project.TestContexts;
import studio.engine.plan.ParallelPlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A layer's breakdown and what each alternative of the same pipeline degree would change. */
class LayerExplanationTest {
    @Test
    void alternativesAreSortedByTheirEffectAndAccountedFor() {
        PlanningContext ctx = TestContexts.sample();
        ParallelPlan plan = TestContexts.loader().searchedPlan(ctx, 64);
        LayerExplanation x = LayerExplanation.of(ctx, plan, 5);
        assertEquals(plan.layers().get(5), x.strategy());
        assertFalse(x.alternatives().isEmpty());
        for (int i = 1; i < x.alternatives().size(); i++) {
            assertTrue(x.alternatives().get(i).deltaS() >= x.alternatives().get(i - 1).deltaS(), "sorted by the change in iteration time");
        }
        assertTrue(x.alternatives().stream().allMatch(a -> a.strategy().pp() == plan.pp() && !a.strategy().equals(x.strategy())));
        assertTrue(x.alternatives().stream().allMatch(a -> a.peakMemoryMb() <= ctx.settings().memoryGb() * 1024), "only plans within the budget");
        assertTrue(x.coverage().contains(x.alternatives().size() + " listed"), x.coverage());
        var best = x.alternatives().get(0);
        assertEquals(best.iterationS() - x.iterationS(), best.deltaS(), 1e-12);
        assertEquals(ctx.evaluator().evaluate(plan).iterationS(), x.iterationS(), 0.0);
    }
}
