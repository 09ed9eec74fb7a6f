package studio.app.charts;

import org.junit.jupiter.api.Test;
import studio.app.project.PlanningContext;
import studio.app.project.TestContexts;
import studio.engine.cost.PlanEstimate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The charts' datasets hold exactly the estimate's numbers: stacked per stage, per layer, and the budget line. */
class ChartDataTest {
    @Test
    void stacksEveryStagesPartsAndListsEveryLayer() {
        PlanningContext ctx = TestContexts.sample();
        PlanEstimate e = ctx.evaluator().evaluate(TestContexts.loader().searchedPlan(ctx, 64));
        ChartData d = new ChartData();
        d.update(e);
        for (var m : e.memory()) {
            double parts = m.parametersMb() + m.gradientsMb() + m.optimizerStatesMb() + m.activationsMb() + m.otherMb() + m.reservedMb();
            assertEquals(parts, d.stageMemoryMb(m.stage()), 1e-9);
        }
        assertEquals(e.memory().get(0).budgetMb(), d.budgetMb(), 0.0);
        assertEquals(e.memory().size(), d.memory().getColumnCount());
        assertEquals(ChartData.TIME_SERIES.length, d.time().getRowCount());
        var t = e.time().get(0);
        assertEquals(t.computeS(), d.time().getValue(ChartData.TIME_SERIES[0], "stage 0").doubleValue(), 0.0);
        assertEquals(t.bubbleS(), d.time().getValue(ChartData.TIME_SERIES[4], "stage 0").doubleValue(), 0.0);
        assertEquals(e.layerMemory().size(), d.layerMemory().getSeries(0).getItemCount());
        assertEquals(e.layerTime().get(3).totalS() * 1000, d.layerTime().getSeries(0).getY(3).doubleValue(), 1e-12);
        d.update(e);
        assertEquals(e.layerMemory().size(), d.layerMemory().getSeries(0).getItemCount(), "an update replaces, never appends");
    }
}
