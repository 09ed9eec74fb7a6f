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
        add(memoryChart, 0, 0, "memoryChart");
        add(timeChart, 1, 0, "timeChart");
        add(layerMemoryChart, 0, 1, "layerMemoryChart");
        add(layerTimeChart, 1, 1, "layerTimeChart");
        editor.estimateProperty().addListener((o, a, e) -> {
            if (e != null) {
                data.update(e);
                budget.setValue(data.budgetMb());
                fitBudget();
            }
        });
        if (editor.estimate() != null) {
            data.update(editor.estimate());
            budget.setValue(data.budgetMb());
            fitBudget();
        }
    }

    /** JFreeChart's auto range ignores markers; keep the budget line in view. */
    private void fitBudget() {
        var axis = ((CategoryPlot) memoryChart.getPlot()).getRangeAxis();
        double top = data.budgetMb();
        for (int st = 0; st < data.memory().getColumnCount(); st++) top = Math.max(top, data.stageMemoryMb(st));
        axis.setRange(0, top * 1.08);
    }

    private void add(JFreeChart chart, int col, int row, String id) {
        ChartViewer v = new ChartViewer(chart);
        v.setId(id);
        v.setPrefSize(360, 240);
        GridPane.setHgrow(v, Priority.ALWAYS);
        GridPane.setVgrow(v, Priority.ALWAYS);
        root.add(v, col, row);
    }

    public Parent root() { return root; }

    public ChartData data() { return data; }

    public JFreeChart memoryChart() { return memoryChart; }

    public double budgetLine() { return budget.getValue(); }

    public JFreeChart timeChart() { return timeChart; }

    public JFreeChart layerMemoryChart() { return layerMemoryChart; }

    public JFreeChart layerTimeChart() { return layerTimeChart; }
}
