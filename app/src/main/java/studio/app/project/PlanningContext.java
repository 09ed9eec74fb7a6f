package studio.app.project;

import studio.engine.cost.CostModel;
import studio.engine.cost.PlanEvaluator;
import studio.engine.cost.ProfileBundle;
import studio.engine.model.ModelDescription;

/** A model with its loaded profiles under one set of cluster settings: what evaluates plans. */
public record PlanningContext(ClusterSettings settings, ModelDescription model, ProfileBundle profiles, String estimated) {
    /** True when some profile is estimated rather than measured ({@link #estimated()} says which). */
    public boolean isEstimated() {
        return estimated != null && !estimated.isEmpty();
    }

    public PlanEvaluator evaluator() {
        return new PlanEvaluator(new CostModel(profiles, settings.costOptions()));
    }

    public CostModel costModel() {
        return new CostModel(profiles, settings.costOptions());
    }

    /** Same profiles, other settings that need no new profile (budget, pipeline type, DP type). */
    public PlanningContext with(ClusterSettings s) {
        return new PlanningContext(s, model, profiles, estimated);
    }

    public int stageGpus(int pp) {
        return settings.worldSize() / pp;
    }
}
