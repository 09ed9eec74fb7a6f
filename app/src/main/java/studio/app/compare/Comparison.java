package studio.app.compare;

import studio.app.project.PlanningContext;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.LayerStrategy;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Two to four plans side by side under one context: per-layer strategies with the differing layers flagged,
 * each plan's estimate, and throughput and memory relative to the first plan.
 */
public record Comparison(List<NamedPlan> plans, List<PlanEstimate> estimates, List<Row> rows) {
    /** One layer: its strategy in each plan, and whether they differ. */
    public record Row(int layer, List<String> strategies, boolean differs) {
    }

    public static Comparison of(PlanningContext ctx, List<NamedPlan> plans) {
        if (plans.size() < 2 || plans.size() > 4) {
            throw new IllegalArgumentException("choose two to four plans to compare, not " + plans.size());
        }
        int layers = plans.get(0).plan().layerCount();
        for (NamedPlan p : plans) {
            if (p.plan().layerCount() != layers) {
                throw new IllegalArgumentException(p.name() + " has " + p.plan().layerCount() + " layers, " + plans.get(0).name() + " " + layers);
            }
        }
        studio.engine.cost.PlanCoster ev = ctx.evaluator();
        List<PlanEstimate> est = plans.stream().map(p -> ev.evaluate(p.plan())).toList();
        List<Row> rows = new ArrayList<>();
        List<int[]> stages = plans.stream().map(p -> p.plan().stageOfLayer()).toList();
        for (int l = 0; l < layers; l++) {
            List<String> s = new ArrayList<>();
            for (int i = 0; i < plans.size(); i++) s.add(cell(plans.get(i).plan(), l, stages.get(i)[l]));
            rows.add(new Row(l, s, s.stream().distinct().count() > 1));
        }
        return new Comparison(List.copyOf(plans), est, rows);
    }

    /** A layer as the table shows it: its strategy, its cp and expert placement where they split it, and its stage. */
    static String cell(studio.engine.plan.ParallelPlan plan, int layer, int stage) {
        LayerStrategy ls = plan.layers().get(layer);
        int cp = plan.cpSizes().get(layer);
        var e = plan.experts().get(layer);
        return ls.form() + (cp > 1 ? " cp" + cp : "") + (e.placed() ? " ep" + e.ep() + (e.expertTp() > 1 ? " etp" + e.expertTp() : "") : "") + " @" + stage;
    }

    /** Relative throughput of plan {@code i} against the first, e.g. +0.052 for 5.2 % faster. */
    public double throughputDelta(int i) {
        return estimates.get(i).throughput() / estimates.get(0).throughput() - 1;
    }

    public int peakMemoryDeltaMb(int i) {
        return estimates.get(i).peakMemoryMb() - estimates.get(0).peakMemoryMb();
    }

    public long differingLayers() {
        return rows.stream().filter(Row::differs).count();
    }

    /** A Megatron-style baseline: the best single strategy for every layer (Galvatron's coarse search), runnable. */
    public static NamedPlan uniformBaseline(PlanningContext ctx, int globalBatch) {
        if (ctx.target() == studio.engine.plan.TargetRuntime.GALVATRON_V3) {
            var s = ctx.searchSettings3(globalBatch, -1, false);
            var p = PlanningContext.planOf(new studio.engine.search.v3.Galvatron3Search(ctx.costModel3(), s).search(null), s);
            if (p == null) throw new IllegalStateException("no uniform plan fits " + ctx.settings().memoryGb() + " GB per GPU");
            return new NamedPlan("uniform baseline, Galvatron 3.0 coarse (" + p.layers().get(0).form() + ")", p);
        }
        SearchResult r = new SearchEngine(ctx.costModel(), SearchOptions.defaults().withSettle(globalBatch, -1).withFineGrained(false)
                .withMode(SearchMode.STUDIO)).search();
        if (!r.found()) throw new IllegalStateException("no uniform plan fits " + ctx.settings().memoryGb() + " GB per GPU");
        return new NamedPlan("uniform baseline (" + r.plan().layers().get(0).form() + ")", r.plan());
    }
}
