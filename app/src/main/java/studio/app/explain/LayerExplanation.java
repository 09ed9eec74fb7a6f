package studio.app.explain;

import studio.app.project.PlanningContext;
import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.ExpertPlacement;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PlanValidator;
import studio.engine.search.SearchOptions;
import studio.engine.search.StrategySpace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Why one layer costs what it costs, and what each other strategy that fits would do to the iteration.
 *
 * @param time        the layer's time per micro-batch and its components
 * @param memory      the layer's memory on one GPU
 * @param alternatives every other strategy of the same pipeline degree that keeps the plan within the budget
 */
public record LayerExplanation(int layer, LayerStrategy strategy, LayerTime time, LayerMemory memory, double iterationS,
                               List<Alternative> alternatives, int considered, int overBudget, int notCostable) {
    /**
     * Another strategy for the layer and the iteration time it would give (negative delta: faster); {@code brokenRules}
     * names the runtime rules it would break for this layer (empty: runnable).
     */
    public record Alternative(LayerStrategy strategy, ExpertPlacement experts, double iterationS, double deltaS, int peakMemoryMb,
                              List<String> brokenRules) {
        public double deltaPercent(double base) { return deltaS / base * 100; }

        /** The strategy's form, with the experts' placement for an MoE layer. */
        public String label() {
            return experts.placed() ? strategy.form() + " [ep " + experts.ep() + ", expert TP " + experts.expertTp() + "]" : strategy.form();
        }

        public boolean runnable() { return brokenRules.isEmpty(); }
    }

    /** Why the list holds what it holds: how many strategies were tried and why the others are not listed. */
    public String coverage() {
        if (considered == 0) return "No other strategy has this plan's " + "pipeline degree on this cluster, so there is nothing to compare.";
        return considered + " other strategies of the same pipeline degree tried: " + alternatives.size() + " listed"
                + (overBudget == 0 ? "" : ", " + overBudget + " left out because the plan would exceed the memory budget")
                + (notCostable == 0 ? "" : ", " + notCostable + " left out because the cost model cannot cost them here");
    }

    public static LayerExplanation of(PlanningContext ctx, ParallelPlan plan, int layer) {
        studio.engine.cost.PlanCoster ev = ctx.evaluator();
        PlanEstimate base = ev.evaluate(plan);
        LayerStrategy current = plan.layers().get(layer);
        List<LayerStrategy> space = StrategySpace.generate(ctx.settings().worldSize(), SearchOptions.defaults(), ctx.settings().spSpace())
                .strategies();
        List<Alternative> alts = new ArrayList<>();
        int considered = 0;
        int overBudget = 0;
        int notCostable = 0;
        ExpertPlacement placed = plan.experts().get(layer);
        List<ParallelPlan> variants = new ArrayList<>();
        for (LayerStrategy s : space) {
            if (s.pp() != plan.pp() || s.equals(current)) continue;
            List<LayerStrategy> ls = new ArrayList<>(plan.layers());
            ls.set(layer, s);
            variants.add(plan.withLayers(ls));
        }
        // an MoE layer: each other placement of its experts, its strategy kept
        if (ctx.experts() != null) {
            for (ExpertPlacement e : ctx.experts().layouts(ctx.stageGpus(plan.pp()))) {
                if (e.equals(placed)) continue;
                List<ExpertPlacement> es = new ArrayList<>(plan.experts());
                es.set(layer, e);
                variants.add(plan.withExperts(es));
            }
        }
        for (ParallelPlan variant : variants) {
            considered++;
            PlanEstimate e;
            try {
                e = ev.evaluate(variant);
            } catch (IllegalArgumentException ex) {
                notCostable++;
                continue;
            }
            if (!e.fitsMemory()) {
                overBudget++;
                continue;
            }
            List<String> broken = PlanValidator.validate(variant, ctx.model(), ctx.settings().worldSize(), ctx.settings().sequenceParallel())
                    .stream().filter(v -> v.layer() == layer).map(v -> "rule " + v.rule() + ": " + v.message()).distinct().toList();
            alts.add(new Alternative(variant.layers().get(layer), variant.experts().get(layer), e.iterationS(), e.iterationS() - base.iterationS(),
                    e.peakMemoryMb(), broken));
        }
        alts.sort(Comparator.comparingDouble(Alternative::deltaS));
        return new LayerExplanation(layer, current, base.layerTime().get(layer), base.layerMemory().get(layer), base.iterationS(), alts,
                considered, overBudget, notCostable);
    }
}
