package studio.app.toolbar;

import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Spinner;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import studio.app.project.ClusterSettings;
import studio.app.project.PlanEditor;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Model, cluster, budget, batch and training settings, and the headline numbers. Settings that need new profiles
 * (model, cluster, precision) go to {@code reload}; the others are plain, undoable edits.
 */
public final class PlanToolbar {
    private final VBox root = new VBox(4);
    private final ComboBox<String> model = new ComboBox<>();
    private final Spinner<Integer> nodes = new Spinner<>(1, 64, 1);
    private final ComboBox<Integer> gpus = new ComboBox<>();
    private final Spinner<Integer> memory = new Spinner<>(4, 1024, 36);
    private final ComboBox<String> precision = new ComboBox<>();
    private final ComboBox<String> gpu = new ComboBox<>();
    private final Spinner<Integer> batch = new Spinner<>(1, 1 << 16, 64);
    private final Spinner<Integer> chunks = new Spinner<>(1, 1 << 16, 1);
    private final ComboBox<PipelineType> pipeline = new ComboBox<>();
    private final ComboBox<DpType> dpType = new ComboBox<>();
    private final PlanEditor editor;
    private boolean refreshing;

    public PlanToolbar(PlanEditor editor, List<String> presets, Consumer<ClusterSettings> reload) {
        this.editor = editor;
        model.getItems().setAll(presets);
        model.setEditable(true);
        model.setPrefWidth(200);
        gpus.getItems().setAll(1, 2, 4, 8, 16);
        gpu.getItems().setAll(studio.engine.estimate.GpuCatalog.ids());
        gpu.setId("gpuChoice");
        precision.getItems().setAll("bf16", "fp16", "fp32");
        pipeline.getItems().setAll(PipelineType.values());
        dpType.getItems().setAll(DpType.DDP, DpType.ZERO2, DpType.ZERO3);
        pipeline.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(PipelineType t) { return t == null ? "" : t.configName(); }
            @Override public PipelineType fromString(String s) { return PipelineType.parse(s); }
        });
        dpType.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(DpType t) { return t == null ? "" : t.configName(); }
            @Override public DpType fromString(String s) { return DpType.parse(s); }
        });
        for (Spinner<?> s : List.of(nodes, memory, batch, chunks)) {
            s.setEditable(true);
            s.setPrefWidth(90);
        }
        model.setId("modelChoice");
        nodes.setId("nodesSpinner");
        gpus.setId("gpusChoice");
        memory.setId("memorySpinner");
        precision.setId("precisionChoice");
        batch.setId("batchSpinner");
        chunks.setId("chunksSpinner");
        pipeline.setId("pipelineChoice");
        dpType.setId("dpTypeChoice");

        Runnable reloadAction = () -> {
            if (refreshing || editor.state() == null) return;
            ClusterSettings s = editor.state().context().settings();
            ClusterSettings next = s.withModel(model.getValue()).withCluster(nodes.getValue(), gpus.getValue())
                    .withMixedPrecision(precision.getValue()).withGpu(gpu.getValue());
            if (!next.equals(s)) reload.accept(next);
        };
        model.valueProperty().addListener((o, a, b) -> reloadAction.run());
        nodes.valueProperty().addListener((o, a, b) -> reloadAction.run());
        gpus.valueProperty().addListener((o, a, b) -> reloadAction.run());
        precision.valueProperty().addListener((o, a, b) -> reloadAction.run());
        gpu.valueProperty().addListener((o, a, b) -> reloadAction.run());
        Runnable settingsAction = () -> {
            if (refreshing || editor.state() == null) return;
            ClusterSettings s = editor.state().context().settings();
            ClusterSettings next = s.withMemoryGb(memory.getValue()).withPipelineType(pipeline.getValue()).withDefaultDpType(dpType.getValue());
            if (!next.equals(s)) editor.setSettings(next);
        };
        memory.valueProperty().addListener((o, a, b) -> settingsAction.run());
        pipeline.valueProperty().addListener((o, a, b) -> settingsAction.run());
        dpType.valueProperty().addListener((o, a, b) -> settingsAction.run());
        Runnable batchAction = () -> {
            if (refreshing || editor.plan() == null) return;
            if (batch.getValue() != editor.plan().globalBatch() || chunks.getValue() != editor.plan().chunks()) {
                if (!editor.setBatch(batch.getValue(), chunks.getValue())) refresh();
            }
        };
        batch.valueProperty().addListener((o, a, b) -> batchAction.run());
        chunks.valueProperty().addListener((o, a, b) -> batchAction.run());

        FlowPane controls = new FlowPane(8, 6, label("Model", model), label("GPU", gpu), label("Nodes", nodes), label("GPUs/node", gpus),
                label("Memory GB", memory), label("Precision", precision), new Separator(), label("Global batch", batch),
                label("Chunks", chunks), label("Pipeline", pipeline), label("Default DP", dpType));
        controls.setPadding(new Insets(6, 8, 2, 8));

        Label throughput = headline("throughputLabel");
        Label iteration = headline("iterationLabel");
        Label peak = headline("peakMemoryLabel");
        throughput.textProperty().bind(Bindings.createStringBinding(() -> throughputText(editor.estimate()), editor.estimateProperty()));
        iteration.textProperty().bind(Bindings.createStringBinding(() -> editor.estimate() == null ? "" : String.format(Locale.ROOT,
                "%.3f s / iteration", editor.estimate().iterationS()), editor.estimateProperty()));
        peak.textProperty().bind(Bindings.createStringBinding(() -> peakText(editor.estimate()), editor.estimateProperty()));
        peak.styleProperty().bind(Bindings.createStringBinding(() -> editor.estimate() != null && !editor.estimate().fitsMemory()
                ? "-fx-text-fill: #c62828;" : "", editor.estimateProperty()));
        Label source = new Label();
        source.setId("profileSourceLabel");
        source.textProperty().bind(Bindings.createStringBinding(() -> editor.state() == null ? ""
                : editor.state().context().sourceLabel(), editor.stateProperty()));
        source.styleProperty().bind(Bindings.createStringBinding(() -> editor.state() != null && editor.state().context().isEstimated()
                ? "-fx-text-fill: #b26a00; -fx-font-weight: bold;" : editor.state() != null && editor.state().context().isClusterMeasured()
                ? "-fx-text-fill: #1565c0; -fx-font-weight: bold;" : "-fx-text-fill: #2e7d32;", editor.stateProperty()));
        source.setTooltip(new javafx.scene.control.Tooltip());
        source.getTooltip().textProperty().bind(Bindings.createStringBinding(() -> editor.state() == null ? ""
                : editor.state().context().sourceDetail(), editor.stateProperty()));
        HBox headlines = new HBox(24, throughput, iteration, peak, source);
        headlines.setAlignment(Pos.CENTER_LEFT);
        headlines.setPadding(new Insets(2, 8, 6, 8));
        root.getChildren().addAll(controls, headlines);
        editor.estimateProperty().addListener((o, a, b) -> refresh());
    }

    private String throughputText(PlanEstimate e) {
        if (e == null || editor.state() == null) return "";
        int seq = editor.state().context().model().maxSeqLength();
        return String.format(Locale.ROOT, "%.3f samples/s  (%,.0f tokens/s)", e.throughput(), e.throughput() * seq);
    }

    private static String peakText(PlanEstimate e) {
        if (e == null) return "";
        return String.format(Locale.ROOT, "peak %,d of %,d MB%s", e.peakMemoryMb(), e.memory().get(0).budgetMb(),
                e.fitsMemory() ? "" : " — over budget");
    }

    private static Label headline(String id) {
        Label l = new Label();
        l.setId(id);
        l.setStyle("-fx-font-size: 15px; -fx-font-weight: bold;");
        return l;
    }

    private static VBox label(String text, javafx.scene.Node control) {
        VBox b = new VBox(1, new Label(text), control);
        return b;
    }

    /** Shows the editor's current values. */
    public void refresh() {
        if (editor.state() == null) return;
        refreshing = true;
        try {
            ClusterSettings s = editor.state().context().settings();
            // set only what differs: every set would run listeners and relayout the toolbar
            if (!s.model().equals(model.getValue())) model.setValue(s.model());
            if (nodes.getValue() != s.nodes()) nodes.getValueFactory().setValue(s.nodes());
            if (!Integer.valueOf(s.gpusPerNode()).equals(gpus.getValue())) gpus.setValue(s.gpusPerNode());
            if (memory.getValue() != s.memoryGb()) memory.getValueFactory().setValue(s.memoryGb());
            if (!s.mixedPrecision().equals(precision.getValue())) precision.setValue(s.mixedPrecision());
            if (!s.gpu().equals(gpu.getValue())) gpu.setValue(s.gpu());
            if (batch.getValue() != editor.plan().globalBatch()) batch.getValueFactory().setValue(editor.plan().globalBatch());
            if (chunks.getValue() != editor.plan().chunks()) chunks.getValueFactory().setValue(editor.plan().chunks());
            if (s.pipelineType() != pipeline.getValue()) pipeline.setValue(s.pipelineType());
            if (s.defaultDpType() != dpType.getValue()) dpType.setValue(s.defaultDpType());
        } finally {
            refreshing = false;
        }
    }

    public Parent root() { return root; }
}
