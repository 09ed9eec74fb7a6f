package studio.app.charts;

import javafx.scene.Parent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import studio.app.project.PlanEditor;

import java.awt.BasicStroke;
import java.awt.Color;

/** Per-stage stacked memory (with the budget line), per-stage time, and memory and time along the model. */
public final class StageCharts {
    private final GridPane root = new GridPane();
    private final ChartData data = new ChartData();
    private final ValueMarker budget = new ValueMarker(0, Color.RED, new BasicStroke(2f));
    private final JFreeChart memoryChart;
    private final JFreeChart timeChart;
    private final JFreeChart layerMemoryChart;
    private final JFreeChart layerTimeChart;

    public StageCharts(PlanEditor editor) {
        memoryChart = ChartFactory.createStackedBarChart("Memory per GPU", null, "MB", data.memory(), PlotOrientation.VERTICAL,
                true, true, false);
        budget.setLabel("budget");
        budget.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
        budget.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
        ((CategoryPlot) memoryChart.getPlot()).addRangeMarker(budget);
        timeChart = ChartFactory.createStackedBarChart("Time per iteration", null, "s", data.time(), PlotOrientation.VERTICAL,
                true, true, false);
        layerMemoryChart = ChartFactory.createXYLineChart("Memory per layer", "layer", "MB", data.layerMemory(), PlotOrientation.VERTICAL,
                false, true, false);
        layerTimeChart = ChartFactory.createXYLineChart("Time per layer (micro-batch)", "layer", "ms", data.layerTime(),
                PlotOrientation.VERTICAL, false, true, false);
        add(memoryChart, 0, 0, "memoryChart", "MB");
        add(timeChart, 1, 0, "timeChart", "s");
        add(layerMemoryChart, 0, 1, "layerMemoryChart", "MB");
        add(layerTimeChart, 1, 1, "layerTimeChart", "ms");
        readout.setId("chartReadout");
        readout.setMaxWidth(Double.MAX_VALUE);
        root.add(readout, 0, 2, 2, 1);
        restyle(studio.app.theme.Themes.isDark());
        studio.app.theme.Themes.darkProperty().addListener((o, a, dark) -> restyle(dark));
        editor.estimateProperty().addListener((o, a, e) -> {
            if (e != null) show(e);
        });
        if (editor.estimate() != null) show(editor.estimate());
    }

    /**
     * One redraw per chart for an estimate: its datasets, the budget line and the memory axis's range would each
     * redraw the chart they belong to (the memory chart three times an edit).
     */
    private void show(studio.engine.cost.PlanEstimate e) {
        for (JFreeChart c : charts()) c.setNotify(false);
        try {
            data.update(e);
            budget.setValue(data.budgetMb());
            fitBudget();
        } finally {
            for (JFreeChart c : charts()) c.setNotify(true);
        }
    }

    /** JFreeChart's auto range ignores markers; keep the budget line in view. */
    private void fitBudget() {
        var axis = ((CategoryPlot) memoryChart.getPlot()).getRangeAxis();
        double top = data.budgetMb();
        for (int st = 0; st < data.memory().getColumnCount(); st++) top = Math.max(top, data.stageMemoryMb(st));
        axis.setRange(0, top * 1.08);
    }

    private final javafx.scene.control.Label readout = new javafx.scene.control.Label(" ");

    /** What the pointer is over, in words: hover a bar or a point for its value. */
    public javafx.beans.property.StringProperty readoutProperty() { return readout.textProperty(); }

    private void restyle(boolean dark) {
        for (JFreeChart c : charts()) studio.app.theme.ChartStyle.apply(c, dark);
        budget.setPaint(dark ? new Color(0xff7b72) : new Color(0xc62828));
        budget.setLabelPaint(studio.app.theme.ChartStyle.text(dark));
    }

    public java.util.List<JFreeChart> charts() {
        return java.util.List.of(memoryChart, timeChart, layerMemoryChart, layerTimeChart);
    }

    private void add(JFreeChart chart, int col, int row, String id, String unit) {
        // Java2D's font metrics, not JavaFX's: FXGraphics2D measures each string with a new JavaFX Text node, which
        // was half of every redraw (each tick label of each axis, each edit)
        chart.getRenderingHints().put(org.jfree.fx.FXHints.KEY_USE_FX_FONT_METRICS, Boolean.FALSE);
        ChartViewer v = new ChartViewer(chart);
        ChartReadout.attach(v, readout, "layer", unit);
        v.setId(id);
        v.setPrefSize(360, 240);
        GridPane.setHgrow(v, Priority.ALWAYS);
        GridPane.setVgrow(v, Priority.ALWAYS);
        root.add(v, col, row);
    }

    /**
     * Saves the four charts as PNG and SVG into {@code dir} as {@code prefix-<chart>.png/.svg}, each with
     * {@code caption} (the plan: model, cluster, budget) under it.
     */
    public java.util.List<java.nio.file.Path> export(java.nio.file.Path dir, String prefix, String caption) throws java.io.IOException {
        java.util.List<java.nio.file.Path> out = new java.util.ArrayList<>();
        var named = new java.util.TreeMap<String, JFreeChart>(java.util.Map.of("memory-per-stage", memoryChart, "time-per-stage", timeChart,
                "memory-per-layer", layerMemoryChart, "time-per-layer", layerTimeChart));
        boolean dark = studio.app.theme.Themes.isDark();
        for (var e : named.entrySet()) {
            org.jfree.chart.title.TextTitle title = studio.app.theme.ChartStyle.caption(caption, dark);
            e.getValue().addSubtitle(title);
            try {
                String base = (prefix == null || prefix.isBlank() ? "" : prefix + "-") + e.getKey();
                out.add(ChartExport.png(e.getValue(), dir.resolve(base + ".png"), 900, 600));
                out.add(ChartExport.svg(e.getValue(), dir.resolve(base + ".svg"), 900, 600));
            } finally {
                e.getValue().removeSubtitle(title);
            }
        }
        return out;
    }

    public Parent root() { return root; }

    public ChartData data() { return data; }

    public JFreeChart memoryChart() { return memoryChart; }

    public double budgetLine() { return budget.getValue(); }

    public JFreeChart timeChart() { return timeChart; }

    public JFreeChart layerMemoryChart() { return layerMemoryChart; }

    public JFreeChart layerTimeChart() { return layerTimeChart; }
}
