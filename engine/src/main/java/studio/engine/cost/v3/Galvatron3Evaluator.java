package studio.engine.cost.v3;

import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.cost.PlanEstimate;
import studio.engine.model.ModelDescription;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;
import studio.engine.plan.PlanException;
import studio.engine.plan.RuleViolation;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.plan.v3.Plan3;
import studio.engine.plan.v3.Runtime3Rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Costs a whole plan with Galvatron 3.0's model (v3 spec §4 - §5) as its search costs the plan it picks: per-stage
 * memory (knapsack weights, vocabulary with context, the Megatron-SP buffer, the cache reserve), per-stage time and
 * the closed-form iteration time, and the 3.0 runtime's rules. The task parameters the search would have had are
 * taken from the plan: the TP/SP mode from its layers, the buffer's g as the largest TP-or-Ulysses degree.
 */
public final class Galvatron3Evaluator implements studio.engine.cost.PlanCoster {
    private final Galvatron3CostModel costs;
    private final ModelDescription model;
    private final int memoryConstraintGb;

    public Galvatron3Evaluator(Galvatron3CostModel costs, ModelDescription model, int memoryConstraintGb) {
        this.costs = costs;
        this.model = model;
        this.memoryConstraintGb = memoryConstraintGb;
    }

    public Galvatron3CostModel costModel() { return costs; }

    @Override
    public PlanEstimate evaluate(ParallelPlan plan) {
        return evaluate(plan, List.of());
    }

    public PlanEstimate evaluate(ParallelPlan plan, List<RuleViolation> fileViolations) {
        CostSettings cs = costs.settings();
        int n = cs.layerCount();
        if (plan.layerCount() != n) {
            throw new PlanException("tp_sizes_enc", "the plan has " + plan.layerCount() + " layers but the model has " + n
                    + " (the 3.0 runtime stops: \"Layer_num in json config does not match layer_num in the model!\")");
        }
        plan.requireDivisionOf(n);
        if (plan.chunks() < plan.pp()) {
            throw new PlanException("chunks", "chunks " + plan.chunks() + " is below pp " + plan.pp() + "; Galvatron 3.0's cost model needs at least one micro-batch per stage");
        }
        if (plan.globalBatch() < plan.chunks()) {
            throw new PlanException("global_bsz", "global batch " + plan.globalBatch() + " is smaller than chunks " + plan.chunks());
        }
        Plan3 p3 = Plan3.of(plan, cs.worldSize());
        List<RuleViolation> violations = new ArrayList<>(fileViolations);
        violations.addAll(Runtime3Rules.validate(plan, model, cs.worldSize(), cs.sequenceParallel()));
        violations.addAll(Runtime3Rules.experts(plan, cs.experts() == null ? 0 : cs.experts().experts(),
                cs.experts() == null ? 0 : cs.experts().expertFfn()));
        int b = plan.globalBatch();
        int c = plan.chunks();
        int pp = p3.pp();
        for (HybridStrategy s : p3.layers()) {
            if (b / c / s.dp() < 1) {
                throw new PlanException("global_bsz", "global batch " + b + " in " + c + " micro-batches leaves no sample for the " + s.dp()
                        + " data-parallel ranks of " + s.label());
            }
        }
        boolean megatron = p3.layers().stream().anyMatch(s -> s.tp() > 1) || p3.vocabulary().tp() > 1;
        boolean ulysses = p3.layers().stream().anyMatch(s -> s.sp() > 1) || p3.vocabulary().sp() > 1;
        TensorParallelMode mode = megatron && ulysses ? TensorParallelMode.TP_WITH_SP : ulysses ? TensorParallelMode.SP_ONLY : TensorParallelMode.TP_ONLY;
        int bufferTp = p3.vocabulary().tensorOrSequenceDegree();
        int minTps = bufferTp;
        for (HybridStrategy s : p3.layers()) {
            bufferTp = Math.max(bufferTp, s.tensorOrSequenceDegree());
            minTps = Math.min(minTps, s.tensorOrSequenceDegree());
        }
        int buffer = (int) costs.globalBuffer().mb(b, c, pp, bufferTp, mode);
        int[] stageOf = plan.stageOfLayer();
        boolean gpipe = cs.pipelineType() == PipelineType.GPIPE;
        List<LayerMemory> memory = new ArrayList<>();
        List<LayerTime> times = new ArrayList<>();
        double[] with = new double[n];
        double[] without = new double[n];
        for (int l = 0; l < n; l++) {
            HybridStrategy s = p3.layers().get(l);
            memory.add(costs.layerMemory().of(s, b, c, gpipe ? 0 : stageOf[l]));
            LayerTime t = costs.layerTime().of(s, b, c);
            times.add(t);
            with[l] = t.totalS();
            without[l] = t.noCommS();
        }
        double[] vocabularyMb = costs.vocabularyMemory().perStageMb(p3.vocabulary(), b, c);
        VocabularyTime vocabularyTime = costs.vocabularyTime().of(p3.vocabulary(), b, c);
        int[] division = plan.pipelineDivision().stream().mapToInt(Integer::intValue).toArray();
        studio.engine.cost.PipelineTerms terms = PipelineCost.terms(with, without, division, vocabularyTime.withoutSyncS(), c);
        double iteration = terms.iterationS();
        if (!Double.isFinite(iteration) || !(iteration > 0)) {
            throw new PlanException("time", "the iteration time came out as " + iteration + " s: a time, bandwidth or overlap value in the profiles is zero or out of range");
        }
        int total = memoryConstraintGb * 1024;
        int cache = total / 1024 > 20 ? (int) (total * 0.2) : 0;
        var stages = studio.engine.cost.StageBreakdown.of(memory, times, stageOf, pp, vocabularyMb, buffer, cache, total,
                vocabularyTime.withoutSyncS(), terms);
        return new PlanEstimate(stages.memory(), stages.time(), memory, times, minTps, bufferTp, b / c, c, iteration, b / iteration, violations);
    }
}
