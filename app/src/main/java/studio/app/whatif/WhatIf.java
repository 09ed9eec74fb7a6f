package studio.app.whatif;

import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.PlanningContext;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/** What-if curves, each point a full search (run off the FX thread). */
public final class WhatIf {
    private WhatIf() {
    }

    /** One point: the x value, the best throughput there (0 when nothing fits) and whether the profiles were estimated. */
    public record Point(double x, double throughput, boolean estimated) {
    }

    /** Best throughput against the per-GPU memory budget. */
    public static List<Point> throughputByBudget(PlanningContext ctx, int globalBatch, int[] budgetsGb, BooleanSupplier cancelled) {
        return throughputByBudget(ctx, globalBatch, budgetsGb, cancelled, p -> { });
    }

    /** @param done gets each point as it is found (for progress) */
    public static List<Point> throughputByBudget(PlanningContext ctx, int globalBatch, int[] budgetsGb, BooleanSupplier cancelled,
                                                 java.util.function.Consumer<Point> done) {
        List<Point> out = new ArrayList<>();
        for (int gb : budgetsGb) {
            if (cancelled.getAsBoolean()) throw new CancellationException();
            PlanningContext c = ctx.with(ctx.settings().withMemoryGb(gb));
            out.add(new Point(gb, bestThroughput(c, globalBatch, cancelled), ctx.isEstimated()));
            done.accept(out.get(out.size() - 1));
        }
        return out;
    }

    /** Throughput per GPU against the number of nodes, the global batch growing with the cluster. */
    public static List<Point> throughputPerGpuByNodes(ContextLoader loader, ClusterSettings base, int batchPerNode, int[] nodes,
                                                      BooleanSupplier cancelled) {
        return throughputPerGpuByNodes(loader, base, batchPerNode, nodes, cancelled, p -> { });
    }

    public static List<Point> throughputPerGpuByNodes(ContextLoader loader, ClusterSettings base, int batchPerNode, int[] nodes,
                                                      BooleanSupplier cancelled, java.util.function.Consumer<Point> done) {
        List<Point> out = new ArrayList<>();
        for (int n : nodes) {
            if (cancelled.getAsBoolean()) throw new CancellationException();
            PlanningContext c = loader.load(base.withCluster(n, base.gpusPerNode()));
            out.add(new Point(n, bestThroughput(c, batchPerNode * n, cancelled) / (n * base.gpusPerNode()), c.isEstimated()));
            done.accept(out.get(out.size() - 1));
        }
        return out;
    }

    /**
     * Best tokens per second against the sequence length, the tokens of a global batch held (where context
     * parallelism starts to pay): each point a search at that length.
     *
     * @param tokensPerBatch global batch x sequence length of the open plan
     */
    public static List<Point> tokensBySequence(ContextLoader loader, ClusterSettings base, long tokensPerBatch, int[] seqs,
                                               BooleanSupplier cancelled, java.util.function.Consumer<Point> done) {
        List<Point> out = new ArrayList<>();
        for (int seq : seqs) {
            if (cancelled.getAsBoolean()) throw new CancellationException();
            PlanningContext c = loader.load(base.withSeqLength(seq));
            int batch = (int) Math.max(1, tokensPerBatch / seq);
            out.add(new Point(seq, bestThroughput(c, batch, cancelled) * seq, c.isEstimated()));
            done.accept(out.get(out.size() - 1));
        }
        return out;
    }

    /**
     * This plan's throughput with every MoE layer's experts over each expert-parallel degree (expert TP kept where
     * the layout allows it, else 1); 0 where it does not fit. Evaluations, not searches: instant.
     */
    public static List<Point> throughputByExpertParallel(PlanningContext ctx, studio.engine.plan.ParallelPlan plan) {
        List<Point> out = new ArrayList<>();
        var space = ctx.experts();
        if (space == null) return out;
        int stage = ctx.stageGpus(plan.pp());
        var evaluator = ctx.evaluator();
        for (int e : space.layouts(stage).stream().map(studio.engine.plan.ExpertPlacement::ep).distinct().toList()) {
            List<studio.engine.plan.ExpertPlacement> placed = plan.experts().stream()
                    .map(x -> new studio.engine.plan.ExpertPlacement(e, space.allows(e, x.expertTp(), stage) ? x.expertTp() : 1)).toList();
            double throughput;
            try {
                var estimate = evaluator.evaluate(plan.withExperts(placed));
                throughput = estimate.fitsMemory() ? estimate.throughput() : 0;
            } catch (IllegalArgumentException ex) {
                throughput = 0;
            }
            out.add(new Point(e, throughput, ctx.isEstimated()));
        }
        return out;
    }

    /** The best throughput at one batch size with the context's target: the studio's search for v2, Galvatron 3.0's for 3.0. */
    private static double bestThroughput(PlanningContext c, int globalBatch, BooleanSupplier cancelled) {
        if (c.target() == studio.engine.plan.TargetRuntime.GALVATRON_V3) {
            var r = c.search3(globalBatch, true, cancelled);
            return r.found() ? r.best().throughput() : 0;
        }
        SearchResult r = new SearchEngine(c.costModel(), SearchOptions.defaults().withSettle(globalBatch, -1).withMode(SearchMode.STUDIO))
                .search(studio.engine.search.SearchListener.NONE, cancelled);
        return r.found() ? r.throughput() : 0;
    }
}
