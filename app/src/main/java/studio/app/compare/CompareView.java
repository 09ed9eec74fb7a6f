package studio.app.compare;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import studio.app.project.PlanEditor;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.StageMemory;
import studio.engine.cost.StageTime;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Choose two to four plans from the shelf and see them side by side. */
public final class CompareView {
    private final BorderPane root = new BorderPane();
    private final ObservableList<NamedPlan> shelf = FXCollections.observableArrayList();
    private final ListView<NamedPlan> list = new ListView<>(shelf);
    private final TableView<Comparison.Row> layers = new TableView<>();
    private final TableView<Integer> summary = new TableView<>();
    /** Per stage (rows), each plan's memory and busy time (columns): the numbers behind the charts. */
    private final TableView<Integer> stages = new TableView<>();
    private final DefaultCategoryDataset memory = new DefaultCategoryDataset();
    private final DefaultCategoryDataset time = new DefaultCategoryDataset();
    private final JFreeChart memoryChart;
    private final JFreeChart timeChart;
    private final Label message = new Label("Choose two to four plans (Ctrl+click) and press Compare.");
    private final PlanEditor editor;
    private Comparison current;

    public CompareView(PlanEditor editor, Supplier<NamedPlan> baseline) {
        this.editor = editor;
        list.setId("comparePlans");
        list.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        Button addCurrent = new Button("Add the editor's plan");
        addCurrent.setId("addCurrentPlan");
        addCurrent.setOnAction(e -> {
            if (editor.plan() != null) add(new NamedPlan("edited plan " + (shelf.size() + 1), editor.plan()));
        });
        Button addBaseline = new Button("Add uniform baseline");
        addBaseline.setId("addBaseline");
        addBaseline.setOnAction(e -> {
            try {
                add(baseline.get());
            } catch (RuntimeException ex) {
                message.setText(ex.getMessage());
            }
        });
        Button remove = new Button("Remove");
        remove.setOnAction(e -> shelf.removeAll(List.copyOf(list.getSelectionModel().getSelectedItems())));
        Button compare = new Button("Compare");
        compare.setId("runCompare");
        compare.setOnAction(e -> compareSelected());
        VBox left = new VBox(6, new Label("Plans"), list, new HBox(6, addCurrent, addBaseline), new HBox(6, remove, compare), message);
        left.setPadding(new Insets(6));
        left.setPrefWidth(330);
        message.setWrapText(true);
        message.setId("compareMessage");

        layers.setId("compareLayers");
        summary.setId("compareSummary");
        memoryChart = ChartFactory.createBarChart("Memory per stage (MB)", null, "MB", memory, PlotOrientation.VERTICAL, true, true, false);
        timeChart = ChartFactory.createBarChart("Busy time per stage (s)", null, "s", time, PlotOrientation.VERTICAL, true, true, false);
        GridPane charts = new GridPane();
        ChartViewer mv = new ChartViewer(memoryChart);
        ChartViewer tv = new ChartViewer(timeChart);
        mv.setPrefSize(420, 260);
        tv.setPrefSize(420, 260);
        mv.setMinHeight(200);
        tv.setMinHeight(200);
        charts.add(mv, 0, 0);
        charts.add(tv, 1, 0);
        GridPane.setHgrow(mv, Priority.ALWAYS);
        GridPane.setHgrow(tv, Priority.ALWAYS);
        summary.setFixedCellSize(26);
        stages.setId("compareStages");
        stages.setFixedCellSize(24);
        stages.setPrefHeight(24 * 5 + 30);
        // columns as wide as their headers and values: a narrow window scrolls sideways instead of cutting them
        summary.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        stages.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        layers.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        studio.app.theme.ChartStyle.follow(memoryChart, timeChart);
        VBox center = new VBox(6, summary, charts, stages, layers);
        VBox.setVgrow(layers, Priority.ALWAYS);
        center.setPadding(new Insets(6));
        root.setLeft(left);
        root.setCenter(center);
    }

    public Parent root() { return root; }

    public ObservableList<NamedPlan> shelf() { return shelf; }

    public ListView<NamedPlan> list() { return list; }

    public Comparison current() { return current; }

    public TableView<Comparison.Row> layerTable() { return layers; }

    public TableView<Integer> summaryTable() { return summary; }

    public TableView<Integer> stageTable() { return stages; }

    public void add(NamedPlan p) {
        shelf.add(p);
    }

    public void compareSelected() {
        List<NamedPlan> chosen = List.copyOf(list.getSelectionModel().getSelectedItems());
        try {
            show(Comparison.of(editor.state().context(), chosen));
        } catch (RuntimeException e) {
            message.setText(e.getMessage());
        }
    }

    public void show(Comparison c) {
        current = c;
        message.setText(String.format(Locale.ROOT, "%d plans, %d of %d layers differ (highlighted); costed on %s.", c.plans().size(),
                c.differingLayers(), c.rows().size(), editor.state() == null ? "-" : editor.state().context().sourceLabel()));
        layers.getColumns().clear();
        TableColumn<Comparison.Row, String> layer = new TableColumn<>("Layer");
        layer.setCellValueFactory(r -> new ReadOnlyStringWrapper(String.valueOf(r.getValue().layer())));
        studio.app.theme.Tables.fit(layer, "Layer", "000");
        layers.getColumns().add(layer);
        for (int i = 0; i < c.plans().size(); i++) {
            final int idx = i;
            TableColumn<Comparison.Row, String> col = new TableColumn<>(c.plans().get(i).name());
            studio.app.theme.Tables.fit(col, c.plans().get(i).name(), c.rows().stream().map(r -> r.strategies().get(idx))
                    .max(java.util.Comparator.comparingInt(String::length)).orElse(""));
            col.setCellValueFactory(r -> new ReadOnlyStringWrapper(r.getValue().strategies().get(idx)));
            col.setCellFactory(x -> new TableCell<>() {
                @Override
                protected void updateItem(String item, boolean empty) {
                    super.updateItem(item, empty);
                    setText(empty ? null : item);
                    Comparison.Row row = empty || getTableRow() == null ? null : getTableRow().getItem();
                    boolean diff = row != null && row.differs();
                    getStyleClass().remove("differs");
                    if (diff) getStyleClass().add("differs");
                }
            });
            layers.getColumns().add(col);
        }
        layers.getItems().setAll(c.rows());

        summary.getColumns().clear();
        summary.getColumns().add(scol("Plan", i -> c.plans().get(i).name()));
        summary.getColumns().add(scol("Throughput", i -> String.format(Locale.ROOT, "%.4f samples/s", c.estimates().get(i).throughput())));
        summary.getColumns().add(scol("vs first", i -> i == 0 ? "" : String.format(Locale.ROOT, "%+.2f %%", c.throughputDelta(i) * 100)));
        summary.getColumns().add(scol("Iteration", i -> String.format(Locale.ROOT, "%.4f s", c.estimates().get(i).iterationS())));
        summary.getColumns().add(scol("Peak memory", i -> String.format(Locale.ROOT, "%,d MB", c.estimates().get(i).peakMemoryMb())));
        summary.getColumns().add(scol("vs first", i -> i == 0 ? "" : String.format(Locale.ROOT, "%+,d MB", c.peakMemoryDeltaMb(i))));
        summary.getColumns().add(scol("pp / chunks", i -> c.plans().get(i).plan().pp() + " / " + c.plans().get(i).plan().chunks()));
        summary.getItems().clear();
        for (int i = 0; i < c.plans().size(); i++) summary.getItems().add(i);
        // every plan's row shows, however many plans there are
        summary.setPrefHeight(40 + 26 * c.plans().size() + 4);
        summary.setMinHeight(summary.getPrefHeight());

        stages.getColumns().clear();
        stages.getColumns().add(scol("Stage", st -> "stage " + st));
        int maxStages = 0;
        for (int i = 0; i < c.plans().size(); i++) {
            final int idx = i;
            PlanEstimate e = c.estimates().get(i);
            maxStages = Math.max(maxStages, e.memory().size());
            stages.getColumns().add(scol(c.plans().get(i).name() + ": memory (MB)", st -> st < e.memory().size()
                    ? String.format(Locale.ROOT, "%,d", e.memory().get(st).totalMb()) : ""));
            stages.getColumns().add(scol(c.plans().get(idx).name() + ": busy (s)", st -> {
                if (st >= e.time().size()) return "";
                StageTime t = e.time().get(st);
                return String.format(Locale.ROOT, "%.3f", t.computeS() + t.tpS() + t.dpS() + t.p2pS());
            }));
        }
        stages.getItems().clear();
        for (int st = 0; st < maxStages; st++) stages.getItems().add(st);
        stages.setPrefHeight(40 + 24 * Math.min(maxStages, 8) + 4);
        stages.setMinHeight(stages.getPrefHeight());

        memory.clear();
        time.clear();
        for (int i = 0; i < c.plans().size(); i++) {
            PlanEstimate e = c.estimates().get(i);
            for (StageMemory m : e.memory()) memory.addValue(m.totalMb(), c.plans().get(i).name(), "stage " + m.stage());
            for (StageTime t : e.time()) time.addValue(t.computeS() + t.tpS() + t.dpS() + t.p2pS(), c.plans().get(i).name(), "stage " + t.stage());
        }
        ((CategoryPlot) memoryChart.getPlot()).getRangeAxis().setAutoRange(true);
    }

    private TableColumn<Integer, String> scol(String title, java.util.function.IntFunction<String> f) {
        TableColumn<Integer, String> c = new TableColumn<>(title);
        c.setCellValueFactory(r -> new ReadOnlyStringWrapper(f.apply(r.getValue())));
        String widest = "";
        for (int i = 0; i < Math.max(current == null ? 0 : current.plans().size(), 8); i++) {
            try {
                String v = f.apply(i);
                if (v != null && v.length() > widest.length()) widest = v;
            } catch (RuntimeException e) {
                break; // past the rows there are
            }
        }
        studio.app.theme.Tables.fit(c, title, widest);
        return c;
    }
}
