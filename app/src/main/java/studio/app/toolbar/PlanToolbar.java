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
    private final Spinner<Integer> seqLength = new Spinner<>(1, 1 << 20, 2048);
    private final Spinner<Integer> microBatch = new Spinner<>(1, 1 << 16, 1);
    private final ComboBox<PipelineType> pipeline = new ComboBox<>();
    private final ComboBox<DpType> dpType = new ComboBox<>();
    private final ComboBox<studio.engine.plan.TargetRuntime> target = new ComboBox<>();
    private final PlanEditor editor;
    private final Consumer<ClusterSettings> reload;
    private final org.controlsfx.validation.ValidationSupport validation = new org.controlsfx.validation.ValidationSupport();
    private final Label fieldError = new Label();

    /**
     * An integer field checked as it is typed: a red mark and a message until it holds a whole number in range, and a
     * value that is not one is never applied (the spinner keeps its value, the arrows keep working).
     */
    private void validated(Spinner<Integer> spinner, String name) {
        var factory = (javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory) spinner.getValueFactory();
        String expected = name + ": expected a whole number from " + factory.getMin() + " to " + factory.getMax();
        java.util.function.Predicate<String> ok = t -> parse(t, factory.getMin(), factory.getMax()) != null;
        factory.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Integer v) {
                return v == null ? "" : v.toString();
            }

            @Override
            public Integer fromString(String text) {
                Integer v = parse(text, factory.getMin(), factory.getMax());
                return v != null ? v : factory.getValue();
            }
        });
        validation.registerValidator(spinner.getEditor(), false,
                org.controlsfx.validation.Validator.<String>createPredicateValidator(ok, expected));
    }

    static Integer parse(String text, int min, int max) {
        if (text == null || !text.strip().matches("[0-9]{1,9}")) return null;
        int v = Integer.parseInt(text.strip());
        return v >= min && v <= max ? v : null;
    }

    /** The message of the first field that holds an invalid value (empty when all are valid). */
    public javafx.beans.property.ReadOnlyStringProperty fieldErrorProperty() {
        return fieldError.textProperty();
    }

    public PlanToolbar(PlanEditor editor, List<String> presets, Consumer<ClusterSettings> reload) {
        this(editor, presets, reload, null);
    }

    /** @param searchAgain replaces the plan with a fresh search (undoable); null: no button */
    /** The second headline row: efficiency, and what other features add (the calibrated figures). */
    private final FlowPane second = new FlowPane(24, 2);

    /** Shows {@code n} in the second headline row. */
    public void addHeadline(javafx.scene.Node n) {
        second.getChildren().add(n);
    }

    public PlanToolbar(PlanEditor editor, List<String> presets, Consumer<ClusterSettings> reload, Runnable searchAgain) {
        this.editor = editor;
        this.reload = reload;
        model.getItems().setAll(presets);
        model.setEditable(true);
        model.setPrefWidth(200);
        gpus.getItems().setAll(1, 2, 4, 8, 16);
        gpu.getItems().setAll(studio.engine.estimate.GpuCatalog.ids());
        gpu.setId("gpuChoice");
        precision.getItems().setAll(java.util.Arrays.stream(studio.engine.model.Precision.values()).map(studio.engine.model.Precision::configName)
                .sorted(java.util.Comparator.reverseOrder()).toList());
        pipeline.getItems().setAll(PipelineType.values());
        target.getItems().setAll(studio.engine.plan.TargetRuntime.values());
        target.setId("targetChoice");
        target.setTooltip(new javafx.scene.control.Tooltip("The Galvatron the plan is costed for and exported to: v2's cost model and config, "
                + "or 3.0's (its cost model, its runtime's rules and keys). A 3.0 search YAML opens as 3.0."));
        dpType.getItems().setAll(DpType.DDP, DpType.ZERO2, DpType.ZERO3);
        pipeline.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(PipelineType t) { return t == null ? "" : t.configName(); }
            @Override public PipelineType fromString(String s) { return PipelineType.parse(s); }
        });
        dpType.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(DpType t) { return t == null ? "" : t.configName(); }
            @Override public DpType fromString(String s) { return DpType.parse(s); }
        });
        for (Spinner<?> s : List.of(nodes, memory, batch, chunks, seqLength, microBatch)) {
            s.setEditable(true);
            s.setPrefWidth(90);
        }
        validated(nodes, "Nodes");
        validated(memory, "Memory GB");
        validated(batch, "Global batch");
        validated(chunks, "Chunks");
        validated(seqLength, "Seq length");
        validated(microBatch, "Micro-batch");
        seqLength.setId("seqSpinner");
        microBatch.setId("microBatchSpinner");
        seqLength.setTooltip(new javafx.scene.control.Tooltip("Tokens per sample. The model's own comes from its config "
                + "(max_position_embeddings for a Hugging Face config.json); set the length you train at."));
        microBatch.setTooltip(new javafx.scene.control.Tooltip("Samples per micro-batch of a min-TP group; setting it sets the chunks."));
        fieldError.setId("fieldError");
        fieldError.setStyle("-fx-text-fill: #c62828;");
        fieldError.textProperty().bind(Bindings.createStringBinding(() -> validation.getValidationResult() == null ? ""
                : validation.getValidationResult().getErrors().stream().map(m -> m.getText()).sorted().findFirst().orElse(""),
                validation.validationResultProperty()));
        model.setId("modelChoice");
        nodes.setId("nodesSpinner");
        gpus.setId("gpusChoice");
        memory.setId("memorySpinner");
        precision.setId("precisionChoice");
        batch.setId("batchSpinner");
        chunks.setId("chunksSpinner");
        pipeline.setId("pipelineChoice");
        dpType.setId("dpTypeChoice");

        // Each field commits only its own value, applied to the editor's current settings: when refresh() shows the
        // editor's values, every field already equals what it would commit, so showing them commits nothing.
        reloadOnChange(model.valueProperty(), ClusterSettings::withModel);
        reloadOnChange(precision.valueProperty(), ClusterSettings::withMixedPrecision);
        reloadOnChange(gpu.valueProperty(), ClusterSettings::withGpu);
        reloadOnChange(nodes.valueProperty(), (s, n) -> s.withCluster(n, s.gpusPerNode()));
        reloadOnChange(gpus.valueProperty(), (s, g) -> s.withCluster(s.nodes(), g));
        seqLength.valueProperty().addListener((o, a, b) -> {
            // compared with the model's length: the settings hold 0 while the model's own length is used
            if (b == null || editor.state() == null || b == editor.state().context().model().maxSeqLength()) return;
            reload.accept(editor.state().context().settings().withSeqLength(b));
        });
        setOnChange(memory.valueProperty(), ClusterSettings::withMemoryGb);
        setOnChange(pipeline.valueProperty(), ClusterSettings::withPipelineType);
        setOnChange(dpType.valueProperty(), ClusterSettings::withDefaultDpType);
        setOnChange(target.valueProperty(), ClusterSettings::withTarget);
        batch.valueProperty().addListener((o, a, b) -> {
            if (b != null && editor.plan() != null && b != editor.plan().globalBatch() && !editor.setBatch(b, editor.plan().chunks())) refresh();
        });
        chunks.valueProperty().addListener((o, a, b) -> {
            if (b != null && editor.plan() != null && b != editor.plan().chunks() && !editor.setBatch(editor.plan().globalBatch(), b)) refresh();
        });
        microBatch.valueProperty().addListener((o, a, b) -> {
            PlanEstimate e = editor.estimate();
            if (e == null || b == null || b == e.microBatchSize()) return;
            int local = e.microBatchSize() * e.realChunks();
            int next = Math.max(1, (local + b - 1) / b);
            if (!editor.setBatch(editor.plan().globalBatch(), next)) refresh();
        });

        FlowPane controls = new FlowPane(8, 6, label("Target", target), label("Model", model), label("GPU", gpu), label("Nodes", nodes), label("GPUs/node", gpus),
                label("Memory GB", memory), label("Precision", precision), new Separator(), label("Global batch", batch),
                label("Chunks", chunks), label("Micro-batch", microBatch), label("Seq length", seqLength), label("Pipeline", pipeline),
                label("Default DP", dpType));
        controls.setPadding(new Insets(6, 8, 2, 8));
        if (searchAgain != null) {
            javafx.scene.control.Button again = new javafx.scene.control.Button("Search again");
            again.setId("searchAgainButton");
            again.setTooltip(new javafx.scene.control.Tooltip("Replace the plan with a fresh search for these settings (Ctrl+Z goes back)"));
            again.setOnAction(e -> searchAgain.run());
            again.disableProperty().bind(editor.stateProperty().isNull());
            controls.getChildren().add(label("", again));
        }

        Label throughput = headline("throughputLabel");
        Label iteration = headline("iterationLabel");
        Label peak = headline("peakMemoryLabel");
        throughput.textProperty().bind(Bindings.createStringBinding(() -> throughputText(editor.estimate()), editor.estimateProperty()));
        iteration.textProperty().bind(Bindings.createStringBinding(() -> editor.estimate() == null ? "" : String.format(Locale.ROOT,
                "%.3f s / iteration", editor.estimate().iterationS()), editor.estimateProperty()));
        peak.textProperty().bind(Bindings.createStringBinding(() -> peakText(editor.estimate()), editor.estimateProperty(),
                studio.app.theme.Units.gibProperty()));
        Label efficiency = new Label();
        efficiency.setId("efficiencyLabel");
        efficiency.textProperty().bind(Bindings.createStringBinding(() -> efficiencyText(editor.estimate()), editor.estimateProperty()));
        efficiency.setTooltip(new javafx.scene.control.Tooltip("Model FLOPs utilisation: the model's training FLOPs (3x forward, no "
                + "recompute) per second per GPU, against the GPU's dense peak for the precision"));
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
        Label rules = headline("rulesLabel");
        rules.setStyle(rules.getStyle() + " -fx-text-fill: #c62828;");
        rules.textProperty().bind(Bindings.createStringBinding(() -> rulesText(editor.estimate()), editor.estimateProperty()));
        rules.setTooltip(new javafx.scene.control.Tooltip());
        rules.getTooltip().textProperty().bind(Bindings.createStringBinding(() -> editor.estimate() == null ? ""
                : String.join("\n", studio.engine.plan.RuleViolation.summarize(editor.estimate().violations())), editor.estimateProperty()));
        // the headline wraps rather than cutting numbers at 1280x720
        FlowPane headlines = new FlowPane(24, 2, throughput, rules, iteration, peak, source);
        second.getChildren().add(efficiency);
        second.setPadding(new Insets(0, 8, 4, 8));
        headlines.setAlignment(Pos.CENTER_LEFT);
        rules.managedProperty().bind(rules.textProperty().isNotEmpty());
        headlines.setPadding(new Insets(2, 8, 6, 8));
        root.getChildren().addAll(controls, fieldError, headlines, second);
        fieldError.managedProperty().bind(fieldError.textProperty().isNotEmpty());
        // the toolbar shows whatever the editor holds, after any edit, load, undo or search
        editor.stateProperty().addListener((o, a, b) -> refresh());
        editor.estimateProperty().addListener((o, a, b) -> refresh());
    }

    /** A setting that needs new profiles (model, cluster, precision, GPU, sequence length): the settings go to reload. */
    private <T> void reloadOnChange(javafx.beans.value.ObservableValue<T> value, java.util.function.BiFunction<ClusterSettings, T, ClusterSettings> with) {
        value.addListener((o, a, b) -> {
            if (b == null || editor.state() == null) return;
            ClusterSettings s = editor.state().context().settings();
            ClusterSettings next = with.apply(s, b);
            if (!next.equals(s)) reload.accept(next);
        });
    }

    /** A setting the editor applies as one undoable edit; refused, the field shows the editor's value again. */
    private <T> void setOnChange(javafx.beans.value.ObservableValue<T> value, java.util.function.BiFunction<ClusterSettings, T, ClusterSettings> with) {
        value.addListener((o, a, b) -> {
            if (b == null || editor.state() == null) return;
            ClusterSettings s = editor.state().context().settings();
            ClusterSettings next = with.apply(s, b);
            if (!next.equals(s) && !editor.setSettings(next)) refresh();
        });
    }


    private String throughputText(PlanEstimate e) {
        if (e == null || editor.state() == null) return "";
        int seq = editor.state().context().model().maxSeqLength();
        return String.format(Locale.ROOT, "%.3f samples/s  (%,.0f tokens/s)", e.throughput(), e.throughput() * seq);
    }

    private static String peakText(PlanEstimate e) {
        if (e == null) return "";
        int reserve = e.memory().get(0).reservedMb();
        // the plan's own peak, and Galvatron's cache reserve beside it: the reserve grows with the budget, the plan does not
        return "peak " + studio.app.theme.Units.memory(e.peakMemoryMb() - reserve) + " + " + studio.app.theme.Units.memory(reserve)
                + " cache reserve / " + studio.app.theme.Units.memory(e.memory().get(0).budgetMb()) + (e.fitsMemory() ? "" : " — over budget");
    }

    /** Model FLOPs utilisation, TFLOP/s and tokens/s per GPU: throughput in the units that compare across clusters. */
    private String efficiencyText(PlanEstimate e) {
        if (e == null || editor.state() == null) return "";
        var ctx = editor.state().context();
        int gpus = ctx.settings().worldSize();
        double flops = studio.engine.estimate.ModelShapes.trainingFlopsPerSample(ctx.model()) * e.throughput() / gpus;
        var gpu = studio.engine.estimate.GpuCatalog.gpu(ctx.settings().gpu());
        double peak = gpu.denseTflops(studio.engine.model.Precision.parse(ctx.settings().mixedPrecision())) * 1e12;
        return String.format(Locale.ROOT, "MFU %.1f %% · %.0f TFLOP/s · %,.0f tokens/s per GPU", 100 * flops / peak, flops / 1e12,
                e.throughput() * ctx.model().maxSeqLength() / gpus);
    }

    /** "breaks N rules" beside the throughput: a clean number must not hide a plan the runtime refuses. */
    static String rulesText(PlanEstimate e) {
        if (e == null || e.violations().isEmpty()) return "";
        int n = studio.engine.plan.RuleViolation.summarize(e.violations()).size();
        return "breaks " + n + (n == 1 ? " runtime rule" : " runtime rules");
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

    /** Shows the editor's current values (setting only what differs: every set relays out the toolbar). */
    public void refresh() {
        if (editor.state() == null) return;
        ClusterSettings s = editor.state().context().settings();
        show(model, s.model());
        show(nodes, s.nodes());
        show(gpus, s.gpusPerNode());
        show(memory, s.memoryGb());
        show(precision, s.mixedPrecision());
        show(gpu, s.gpu());
        show(batch, editor.plan().globalBatch());
        show(chunks, editor.plan().chunks());
        show(seqLength, editor.state().context().model().maxSeqLength());
        if (editor.estimate() != null) show(microBatch, editor.estimate().microBatchSize());
        show(pipeline, s.pipelineType());
        show(dpType, s.defaultDpType());
        show(target, s.target());
    }

    private static <T> void show(ComboBox<T> box, T value) {
        if (!java.util.Objects.equals(box.getValue(), value)) box.setValue(value);
    }

    private static <T> void show(Spinner<T> spinner, T value) {
        if (!java.util.Objects.equals(spinner.getValue(), value)) spinner.getValueFactory().setValue(value);
    }

    public Parent root() { return root; }
}
