package studio.engine.cost;

import studio.engine.plan.ParallelPlan;

/** What costs a whole plan for one target runtime: Galvatron v2's model ({@link PlanEvaluator}) or 3.0's. */
public interface PlanCoster {
    PlanEstimate evaluate(ParallelPlan plan);
}
