package studio.app.project;

import studio.engine.profile.OptimizerStepProfile;
import studio.engine.cost.CostModel;
import studio.engine.cost.PlanCoster;
import studio.engine.cost.PlanEvaluator;
import studio.engine.cost.v3.CostSettings;
import studio.engine.cost.v3.Galvatron3CostModel;
import studio.engine.cost.v3.Galvatron3Evaluator;
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.model.ModelDescription;
import studio.engine.model.Precision;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.TargetRuntime;
import studio.engine.profile.ProfileBundle;
import studio.engine.search.v3.BatchRange;
import studio.engine.search.v3.Galvatron3Search;
import studio.engine.search.v3.Search3Result;
import studio.engine.search.v3.SearchSettings;
import studio.engine.search.v3.SpaceLimits;

import java.util.function.BooleanSupplier;

/**
 * A model with its loaded profiles under one set of cluster settings: what evaluates plans, with the cost model of
 * the settings' target (Galvatron v2 or 3.0).
 *
 * @param estimated       which profiles are estimated from the GPU's datasheet ("" when none)
 * @param clusterMeasured which profiles were measured on the user's own cluster by the studio's profilers ("" when none)
 * @param yaml            the Galvatron 3.0 search YAML the model and profiles came from, or null
 * @param optimizerStep   the optimizer step measured on the cluster's GPUs with its hardware profile, or null
 */
public record PlanningContext(ClusterSettings settings, ModelDescription model, ProfileBundle profiles, String estimated,
                              String clusterMeasured, Galvatron3Inputs yaml, OptimizerStepProfile optimizerStep) {
    public PlanningContext(ClusterSettings settings, ModelDescription model, ProfileBundle profiles, String estimated, String clusterMeasured) {
        this(settings, model, profiles, estimated, clusterMeasured, null, null);
    }

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
        if (yaml != null) parts.add("Galvatron 3.0's profiles read through " + yaml.yaml());
        if (parts.isEmpty()) parts.add("Galvatron's profiles measured on A100-80GB SXM");
        return String.join("\n", parts);
    }

    public TargetRuntime target() { return settings.target(); }

    /** The target's cost model over the whole plan. */
    public PlanCoster evaluator() {
        if (settings.target() == TargetRuntime.GALVATRON_V3) {
            return new Galvatron3Evaluator(costModel3(), model, settings.memoryGb());
        }
        return new PlanEvaluator(new CostModel(profiles, settings.costOptions()));
    }

    /** Galvatron v2's cost model (its search, the explanations of alternatives) over the same profiles. */
    public CostModel costModel() {
        return new CostModel(profiles, settings.costOptions());
    }

    /**
     * Galvatron 3.0's cost settings: the model's shape, the toolbar's precision, schedule and Megatron-SP, and the
     * YAML's gradient-reduce, buffer and cost coefficient (3.0's defaults without a YAML).
     */
    public CostSettings costSettings3() {
        CostSettings base = yaml == null ? null : yaml.settings().cost();
        CostSettings out = new CostSettings(settings.worldSize(), model.totalLayers(), model.hiddenSize(), model.maxSeqLength(),
                Precision.parse(settings.mixedPrecision()), base == null || base.asyncGradReduce(), settings.sequenceParallel(),
                base == null || base.globalMemoryBuffer(), settings.pipelineType(), base == null ? 1.0 : base.debugCostmodelCoe());
        // an MoE YAML is read in the studio's mode: its experts (and ring attention, where cp is on) are costed
        if (base != null && base.ring() != null) out = out.withRing(base.ring());
        if (base != null && base.experts() != null) out = out.withExperts(base.experts());
        return out;
    }

    /** The expert layouts an MoE model's layers may take (null for a dense model). */
    public studio.engine.search.v3.ExpertSpace experts() {
        return yaml == null ? null : yaml.settings().experts();
    }

    public Galvatron3CostModel costModel3() {
        return Galvatron3CostModel.of(profiles, costSettings3());
    }

    /** Galvatron 3.0's search settings at one batch size (the YAML's search space when there is one). */
    public SearchSettings searchSettings3(int globalBatch, int settleChunk, boolean fineGrained) {
        SpaceLimits space = yaml == null ? SpaceLimits.defaults() : yaml.settings().space();
        return new SearchSettings(yaml == null ? model.name() : yaml.settings().modelName(), settings.nodes(), settings.gpusPerNode(),
                settings.memoryGb(), new BatchRange(globalBatch, globalBatch, Math.max(1, globalBatch), globalBatch, settleChunk), space,
                fineGrained, settings.defaultDpType(), costSettings3(), yaml != null && yaml.settings().studio(), experts());
    }

    /** Galvatron 3.0's search at one batch size, on this context's profiles. */
    public Search3Result search3(int globalBatch, boolean fineGrained, BooleanSupplier cancelled) {
        return new Galvatron3Search(costModel3(), searchSettings3(globalBatch, -1, fineGrained)).search(cancelled);
    }

    /** The best plan of a 3.0 search in the studio's plan encoding, or null when nothing fits. */
    public static ParallelPlan planOf(Search3Result r, SearchSettings s) {
        return r.found() ? r.best().plan(s).toParallelPlan() : null;
    }

    /** Same profiles, other settings that need no new profile (budget, pipeline type, DP type, target). */
    public PlanningContext with(ClusterSettings s) {
        return new PlanningContext(s, model, profiles, estimated, clusterMeasured, yaml, optimizerStep);
    }

    public int stageGpus(int pp) {
        return settings.worldSize() / pp;
    }
}
