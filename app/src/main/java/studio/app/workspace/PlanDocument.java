package studio.app.workspace;

import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.model.ModelDescription;
import studio.engine.plan.ParallelPlan;

import java.nio.file.Path;

/** A plan opened in the studio with the engine that evaluates it and its current estimate. */
public record PlanDocument(Path file, ModelDescription model, ParallelPlan plan, PlanEvaluator evaluator, PlanEstimate estimate,
                           int worldSize, int memoryGb) {
}
