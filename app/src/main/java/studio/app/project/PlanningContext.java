package studio.app.project;

import studio.engine.cost.CostModel;
import studio.engine.cost.PlanEvaluator;
import studio.engine.profile.ProfileBundle;
import studio.engine.model.ModelDescription;

/**
 * A model with its loaded profiles under one set of cluster settings: what evaluates plans.
 *
 * @param estimated       which profiles are estimated from the GPU's datasheet ("" when none)
 * @param clusterMeasured which profiles were measured on the user's own cluster by the studio's profilers ("" when none)
 */
public record PlanningContext(ClusterSettings settings, ModelDescription model, ProfileBundle profiles, String estimated,
                              String clusterMeasured) {
    /** True when some profile is estimated rather than measured ({@link #estimated()} says which). */
    public boolean isEstimated() {
        return estimated != null && !estimated.isEmpty();
    }

    public boolean isClusterMeasured() {
        return clusterMeasured != null && !clusterMeasured.isEmpty();
    }

    /** Where the numbers come from, in a few words: shown wherever a cost is. */
    public String sourceLabel() {
        if (isEstimated()) return isClusterMeasured() ? "ESTIMATED + cluster-measured profiles" : "ESTIMATED profiles";
        return isClusterMeasured() ? "cluster-measured profiles" : "measured profiles";
    }

    /** The long form of {@link #sourceLabel()}. */
    public String sourceDetail() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (isClusterMeasured()) parts.add(clusterMeasured);
        if (isEstimated()) parts.add(estimated);
        if (parts.isEmpty()) parts.add("Galvatron's profiles measured on A100-80GB SXM");
        return String.join("\n", parts);
    }

    public PlanEvaluator evaluator() {
        return new PlanEvaluator(new CostModel(profiles, settings.costOptions()));
    }

    public CostModel costModel() {
        return new CostModel(profiles, settings.costOptions());
    }

    /** Same profiles, other settings that need no new profile (budget, pipeline type, DP type). */
    public PlanningContext with(ClusterSettings s) {
        return new PlanningContext(s, model, profiles, estimated, clusterMeasured);
    }

    public int stageGpus(int pp) {
        return settings.worldSize() / pp;
    }
}
