package studio.app.whatif;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Best throughput against the memory budget, throughput per GPU against the cluster size, best tokens per second
 * against the sequence length (where context parallelism pays) and, for an MoE model, this plan against the
 * expert-parallel degree.
 */
public final class WhatIfView {
    static final int[] BUDGETS = {16, 24, 32, 40, 48, 64, 80};
    static final int[] NODES = {1, 2, 4, 8, 16};
    static final int[] SEQUENCES = {2048, 4096, 8192, 16384, 32768, 65536};
    private final XYSeries bySequence = new XYSeries("best tokens/s");
    private final XYSeries byExperts = new XYSeries("this plan, every MoE layer at ep");
    private final JFreeChart sequenceChart;
    private final JFreeChart expertChart;
    private final BorderPane root = new BorderPane();
    private final XYSeries budget = new XYSeries("best throughput");
    private final XYSeries scale = new XYSeries("throughput per GPU");
    private final JFreeChart budgetChart;
    private final JFreeChart scaleChart;
    private final Label status = new Label("");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private volatile AtomicBoolean cancel = new AtomicBoolean();

    public WhatIfView(PlanEditor editor, ContextLoader loader, Executor executor) {
        XYSeriesCollection budgetData = new XYSeriesCollection(budget);
        budgetData.addSeries(current);
        XYSeriesCollection scaleData = new XYSeriesCollection(scale);
        scaleData.addSeries(currentScale);
        budgetChart = ChartFactory.createXYLineChart("Best throughput vs memory budget", "GB per GPU", "samples/s",
                budgetData, PlotOrientation.VERTICAL, true, true, false);
        scaleChart = ChartFactory.createXYLineChart("Throughput per GPU vs nodes", "nodes", "samples/s per GPU",
                scaleData, PlotOrientation.VERTICAL, true, true, false);
        sequenceChart = ChartFactory.createXYLineChart("Best tokens/s vs sequence length", "tokens per sequence", "tokens/s",
                new XYSeriesCollection(bySequence), PlotOrientation.VERTICAL, true, true, false);
        expertChart = ChartFactory.createXYLineChart("This plan vs expert parallelism (MoE)", "ep", "samples/s",
                new XYSeriesCollection(byExperts), PlotOrientation.VERTICAL, true, true, false);
        for (JFreeChart c : List.of(sequenceChart, expertChart)) {
            ((org.jfree.chart.renderer.xy.XYLineAndShapeRenderer) c.getXYPlot().getRenderer()).setSeriesShapesVisible(0, true);
            ((org.jfree.chart.axis.NumberAxis) c.getXYPlot().getDomainAxis()).setAutoRangeIncludesZero(false);
        }
        studio.app.theme.ChartStyle.follow(sequenceChart, expertChart);
        for (JFreeChart c : List.of(budgetChart, scaleChart)) {
            var r = (org.jfree.chart.renderer.xy.XYLineAndShapeRenderer) c.getXYPlot().getRenderer();
            r.setSeriesShapesVisible(0, true);
            r.setSeriesLinesVisible(1, false);
            r.setSeriesShapesVisible(1, true);
            r.setSeriesShape(1, new java.awt.geom.Ellipse2D.Double(-6, -6, 12, 12));
        }
        studio.app.theme.ChartStyle.follow(budgetChart, scaleChart);
        Button byBudget = new Button("Compute: budget curve");
        byBudget.setId("whatIfBudget");
        Button byNodes = new Button("Compute: scaling curve");
        byNodes.setId("whatIfNodes");
        Button stop = new Button("Cancel");
        Button bySeq = new Button("Compute: sequence curve");
        bySeq.setId("whatIfSequence");
        Button byEp = new Button("Compute: expert-parallel curve");
        byEp.setId("whatIfExperts");
        byBudget.disableProperty().bind(running);
        byNodes.disableProperty().bind(running);
        bySeq.disableProperty().bind(running);
        byEp.disableProperty().bind(running.or(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> editor.state() == null || !editor.hasExperts(), editor.stateProperty())));
        stop.disableProperty().bind(running.not());
        stop.setOnAction(e -> cancel.set(true));
        status.setId("whatIfStatus");
        byBudget.setOnAction(e -> {
            if (editor.state() == null) return;
            var ctx = editor.state().context();
            int batch = editor.plan().globalBatch();
            budget.clear();
            current.clear();
            current.add(ctx.settings().memoryGb(), editor.estimate().throughput());
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            start("Searching at " + BUDGETS.length + " budgets…", executor, flag -> {
                List<WhatIf.Point> pts = WhatIf.throughputByBudget(ctx, batch, BUDGETS, flag::get, p -> Platform.runLater(() -> {
                    budget.add(p.x(), p.throughput());
                    progress.set((double) n.incrementAndGet() / BUDGETS.length);
                }));
                Platform.runLater(() -> budgetChart.setTitle("Best throughput vs memory budget" + (ctx.isEstimated() ? " (estimated)" : "")
                        + " · " + pts.size() + " budgets"));
            });
        });
        byNodes.setOnAction(e -> {
            if (editor.state() == null) return;
            var settings = editor.state().context().settings();
            int perNode = Math.max(1, editor.plan().globalBatch() / settings.nodes());
            scale.clear();
            currentScale.clear();
            currentScale.add(settings.nodes(), editor.estimate().throughput() / settings.worldSize());
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            start("Searching on 1 to 16 nodes…", executor, flag -> {
                List<WhatIf.Point> pts = WhatIf.throughputPerGpuByNodes(loader, settings, perNode, NODES, flag::get, p -> Platform.runLater(() -> {
                    scale.add(p.x(), p.throughput());
                    progress.set((double) n.incrementAndGet() / NODES.length);
                }));
                Platform.runLater(() -> {
                    boolean est = pts.stream().anyMatch(WhatIf.Point::estimated);
                    scaleChart.setTitle("Throughput per GPU vs nodes" + (est ? " (estimated hardware beyond the measured clusters)" : ""));
                });
            });
        });
        bySeq.setOnAction(e -> {
            if (editor.state() == null) return;
            var settings = editor.state().context().settings();
            long tokens = (long) editor.plan().globalBatch() * Math.max(1, editor.state().context().model().maxSeqLength());
            bySequence.clear();
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            start("Searching at " + SEQUENCES.length + " sequence lengths, " + tokens + " tokens a batch…", executor, flag -> {
                WhatIf.tokensBySequence(loader, settings, tokens, SEQUENCES, flag::get, p -> Platform.runLater(() -> {
                    bySequence.add(p.x(), p.throughput());
                    progress.set((double) n.incrementAndGet() / SEQUENCES.length);
                }));
            });
        });
        byEp.setOnAction(e -> {
            if (editor.state() == null) return;
            var ctx = editor.state().context();
            var plan = editor.plan();
            byExperts.clear();
            start("Costing this plan at every ep…", executor, flag -> {
                List<WhatIf.Point> pts = WhatIf.throughputByExpertParallel(ctx, plan);
                Platform.runLater(() -> pts.forEach(p -> byExperts.add(p.x(), p.throughput())));
            });
        });
        GridPane charts = new GridPane();
        ChartViewer a = new ChartViewer(budgetChart);
        progress.set(0);
        ChartViewer b = new ChartViewer(scaleChart);
        a.setPrefSize(480, 360);
        b.setPrefSize(480, 360);
        GridPane.setHgrow(a, Priority.ALWAYS);
        GridPane.setHgrow(b, Priority.ALWAYS);
        charts.add(a, 0, 0);
        charts.add(b, 1, 0);
        ChartViewer c = new ChartViewer(sequenceChart);
        ChartViewer d = new ChartViewer(expertChart);
        c.setPrefSize(480, 360);
        d.setPrefSize(480, 360);
        charts.add(c, 0, 1);
        charts.add(d, 1, 1);
        studio.app.charts.ChartReadout.attach(c, readout, "tokens per sequence", "tokens/s");
        studio.app.charts.ChartReadout.attach(d, readout, "ep", "samples/s");
        javafx.scene.control.ProgressBar bar0 = new javafx.scene.control.ProgressBar();
        bar0.setId("whatIfProgress");
        bar0.progressProperty().bind(progress);
        bar0.visibleProperty().bind(running);
        readout.setId("whatIfReadout");
        studio.app.charts.ChartReadout.attach(a, readout, "GB per GPU", "samples/s");
        studio.app.charts.ChartReadout.attach(b, readout, "nodes", "samples/s per GPU");
        HBox bar = new HBox(8, byBudget, byNodes, bySeq, byEp, stop, bar0, status, readout);
        bar.setPadding(new Insets(6));
        root.setTop(bar);
        root.setCenter(charts);
    }

    private void start(String what, Executor executor, java.util.function.Consumer<AtomicBoolean> work) {
        AtomicBoolean flag = new AtomicBoolean();
        cancel = flag;
        running.set(true);
        status.setText(what);
        executor.execute(() -> {
            String end;
            try {
                work.accept(flag);
                end = "Done.";
            } catch (java.util.concurrent.CancellationException e) {
                end = "Cancelled.";
            } catch (RuntimeException e) {
                end = "Failed: " + e.getMessage();
            }
            String msg = end;
            Platform.runLater(() -> {
                running.set(false);
                status.setText(msg);
            });
        });
    }

    private final XYSeries current = new XYSeries("this plan");
    private final XYSeries currentScale = new XYSeries("this plan");
    private final javafx.beans.property.DoubleProperty progress = new javafx.beans.property.SimpleDoubleProperty();
    private final javafx.scene.control.Label readout = new javafx.scene.control.Label();

    public XYSeries currentPoint() { return current; }

    public javafx.beans.property.ReadOnlyDoubleProperty progressProperty() { return progress; }

    public Parent root() { return root; }

    public XYSeries budgetSeries() { return budget; }

    public JFreeChart budgetChart() { return budgetChart; }

    public JFreeChart scaleChart() { return scaleChart; }

    public XYSeries sequenceSeries() { return bySequence; }

    public XYSeries expertSeries() { return byExperts; }
}
