package studio.app.whatif;

import org.junit.jupiter.api.Test;
import studio.app.project.PlanningContext;
import studio.app.project.TestContexts;
import studio.engine.plan.TargetRuntime;

import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Throughput against the budget: nothing fits at a tiny budget, more memory never hurts, cancel stops it. */
class WhatIfTest {
    @Test
    void throughputGrowsWithTheBudgetFromNothingFitting() {
        PlanningContext ctx = TestContexts.sample();
        List<WhatIf.Point> points = WhatIf.throughputByBudget(ctx, 64, new int[] {4, 24, 36, 80}, () -> false);
        assertEquals(4, points.size());
        assertEquals(0.0, points.get(0).throughput(), 0.0, "nothing fits 4 GB");
        for (int i = 2; i < points.size(); i++) {
            assertTrue(points.get(i).throughput() >= points.get(i - 1).throughput() - 1e-9, "more memory never hurts: " + points);
        }
        assertTrue(points.get(3).throughput() > 0);
        assertEquals(36.0, points.get(2).x(), 0.0);
    }

    @Test
    void theSequenceCurveSearchesEachLengthWithTheBatchsTokensHeld() {
        PlanningContext ctx = TestContexts.sample();
        List<WhatIf.Point> points = WhatIf.tokensBySequence(TestContexts.loader(), ctx.settings(), 64L * 2048, new int[] {1024, 2048}, () -> false,
                p -> { });
        assertEquals(List.of(1024.0, 2048.0), points.stream().map(WhatIf.Point::x).toList());
        assertTrue(points.stream().allMatch(p -> p.throughput() > 0), "tokens per second at each length: " + points);
        // at the sample's own length the point is its search's best throughput in tokens/s (64 sequences of 2048)
        double samples = WhatIf.throughputByBudget(ctx, 64, new int[] {ctx.settings().memoryGb()}, () -> false).get(0).throughput();
        assertEquals(samples * 2048, points.get(1).throughput(), samples * 2048 * 1e-9);
    }

    @Test
    void aThreeTargetCurvesWithThreesSearchAndACancelStopsIt() {
        PlanningContext three = TestContexts.sample();
        three = three.with(three.settings().withTarget(TargetRuntime.GALVATRON_V3));
        List<WhatIf.Point> points = WhatIf.throughputByBudget(three, 64, new int[] {36}, () -> false);
        assertTrue(points.get(0).throughput() > 0);
        PlanningContext ctx = three;
        assertThrows(CancellationException.class, () -> WhatIf.throughputByBudget(ctx, 64, new int[] {24, 36}, () -> true));
    }
}
