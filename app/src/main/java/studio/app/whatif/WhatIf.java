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
            SearchResult r = new SearchEngine(c.costModel(), SearchOptions.defaults().withSettle(globalBatch, -1).withMode(SearchMode.STUDIO))
                    .search(studio.engine.search.SearchListener.NONE, cancelled);
            out.add(new Point(gb, r.found() ? r.throughput() : 0, ctx.isEstimated()));
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
            SearchResult r = new SearchEngine(c.costModel(), SearchOptions.defaults().withSettle(batchPerNode * n, -1)
                    .withMode(SearchMode.STUDIO)).search(studio.engine.search.SearchListener.NONE, cancelled);
            out.add(new Point(n, r.found() ? r.throughput() / (n * base.gpusPerNode()) : 0, c.isEstimated()));
            done.accept(out.get(out.size() - 1));
        }
        return out;
    }
}
