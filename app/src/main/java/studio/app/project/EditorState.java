package studio.app.project;

import studio.engine.plan.ParallelPlan;

/** One point of the editor's history: the context the plan is costed in, and the plan. */
public record EditorState(PlanningContext context, ParallelPlan plan, String description) {
}
