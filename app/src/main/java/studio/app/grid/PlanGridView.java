package studio.app.grid;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.control.cell.ComboBoxTableCell;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import studio.app.project.EditorState;
import studio.app.project.PlanEditor;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.ParallelPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The per-layer strategy grid and the vocabulary row. A cell edit applies to every selected row when the edited
 * row is part of the selection, else to that row.
 */
public final class PlanGridView {
    private final BorderPane root = new BorderPane();
    private final PlanEditor editor;
    private final ObservableList<LayerRowModel> rows = FXCollections.observableArrayList();
    private final TableView<LayerRowModel> table = new TableView<>(rows);
    private final ObservableList<Integer> tpChoices = FXCollections.observableArrayList();
    private final ObservableList<Integer> epChoices = FXCollections.observableArrayList();
    /** Whether the model has experts (the EP columns show only then). */
    private final javafx.beans.property.BooleanProperty experts = new javafx.beans.property.SimpleBooleanProperty(false);
    private final ComboBox<Integer> vtp = new ComboBox<>();
    private final CheckBox vsp = new CheckBox("Ulysses (vsp)");
    private final CheckBox embedSdp = new CheckBox("ZeRO-3 (embed_sdp)");
    private final Label vocabStrategy = new Label();
    private boolean refreshing;

    public PlanGridView(PlanEditor editor) {
        this.editor = editor;
        table.setId("layerTable");
        table.setEditable(true);
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.getColumns().add(text("Layer", r -> String.valueOf(r.layer())));
        table.getColumns().add(text("Stage", r -> String.valueOf(r.stage())));
        // columns as wide as their headers and values; a narrow window scrolls sideways instead of cutting them
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        TableColumn<LayerRowModel, Integer> tp = new TableColumn<>("TP / SP");
        tp.setId("tpColumn");
        tp.setCellValueFactory(c -> c.getValue().rowProperty().map(r -> r.strategy().tp()));
        tp.setCellFactory(ComboBoxTableCell.forTableColumn(tpChoices));
        tp.setOnEditCommit(e -> editor.setTp(targets(e.getRowValue().row()), e.getNewValue()));
        table.getColumns().add(tp);
        table.getColumns().add(text("DP", r -> String.valueOf(r.dataParallelDegree())));
        table.getColumns().add(flag("ZeRO-3", "zero3Column", LayerRowModel.Flag.ZERO3, editor::setZero3));
        table.getColumns().add(flag("TP consecutive", "consecColumn", LayerRowModel.Flag.TP_CONSECUTIVE, editor::setTpConsecutive));
        table.getColumns().add(flag("Checkpoint", "ckptColumn", LayerRowModel.Flag.CHECKPOINT, editor::setCheckpoint));
        table.getColumns().add(flag("Ulysses", "ulyssesColumn", LayerRowModel.Flag.ULYSSES, editor::setUlysses));
        // Galvatron 3.0's fields: after v2's, so the v2 columns keep their places
        TableColumn<LayerRowModel, Integer> cp = new TableColumn<>("CP");
        cp.setId("cpColumn");
        cp.setCellValueFactory(c -> c.getValue().rowProperty().map(LayerRow::cp));
        cp.setCellFactory(ComboBoxTableCell.forTableColumn(tpChoices));
        cp.setOnEditCommit(e -> editor.setCp(targets(e.getRowValue().row()), e.getNewValue()));
        table.getColumns().add(text("Ulysses degree", r -> String.valueOf(r.ulyssesDegree())));
        table.getColumns().add(cp);
        table.getColumns().add(text("DP type", LayerRow::dataParallelType));
        // an MoE model's expert placement (ep_sizes_enc, tp_of_ep_sizes_enc): shown only where there are experts
        TableColumn<LayerRowModel, Integer> ep = new TableColumn<>("EP");
        ep.setId("epColumn");
        ep.setCellValueFactory(c -> c.getValue().rowProperty().map(r -> r.experts().ep()));
        ep.setCellFactory(ComboBoxTableCell.forTableColumn(epChoices));
        ep.setOnEditCommit(e -> editor.setExperts(targets(e.getRowValue().row()), e.getNewValue(), null));
        ep.visibleProperty().bind(experts);
        TableColumn<LayerRowModel, Integer> expertTp = new TableColumn<>("Expert TP");
        expertTp.setId("expertTpColumn");
        expertTp.setCellValueFactory(c -> c.getValue().rowProperty().map(r -> r.experts().expertTp()));
        expertTp.setCellFactory(ComboBoxTableCell.forTableColumn(tpChoices));
        expertTp.setOnEditCommit(e -> editor.setExperts(targets(e.getRowValue().row()), null, e.getNewValue()));
        expertTp.visibleProperty().bind(experts);
        table.getColumns().add(ep);
        table.getColumns().add(expertTp);
        table.getColumns().add(text("Strategy", r -> r.strategy().form()));
        table.getColumns().add(text("Memory (MB)", r -> String.format(Locale.ROOT, "%.1f", r.memory().totalMb())));
        table.getColumns().add(text("Time (ms)", r -> String.format(Locale.ROOT, "%.3f", r.time().totalS() * 1000)));
        explainHeaders();
        table.setRowFactory(t -> new TableRow<>() {
            private final javafx.beans.value.ChangeListener<LayerRow> follow = (o, a, b) -> mark(b);

            @Override
            protected void updateItem(LayerRowModel item, boolean empty) {
                LayerRowModel old = getItem();
                if (old != null) old.rowProperty().removeListener(follow);
                super.updateItem(item, empty);
                if (!empty && item != null) item.rowProperty().addListener(follow);
                mark(empty || item == null ? null : item.row());
            }

            private void mark(LayerRow item) {
                boolean broken = item != null && !item.problems().isEmpty();
                // touch the style class only on a change: each touch re-applies CSS to the row and its cells
                if (broken != getStyleClass().contains("broken")) {
                    if (broken) getStyleClass().add("broken"); else getStyleClass().remove("broken");
                }
                String tip = broken ? String.join("\n", item.problems()) : null;
                if (tip == null) {
                    if (getTooltip() != null) setTooltip(null);
                } else if (getTooltip() == null || !tip.equals(getTooltip().getText())) {
                    setTooltip(new Tooltip(tip));
                }
            }
        });
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        vsp.setMnemonicParsing(false);
        embedSdp.setMnemonicParsing(false);
        vtp.setId("vtpChoice");
        vsp.setId("vspCheck");
        embedSdp.setId("embedSdpCheck");
        vtp.valueProperty().addListener((o, a, b) -> vocabEdited());
        vsp.selectedProperty().addListener((o, a, b) -> vocabEdited());
        embedSdp.selectedProperty().addListener((o, a, b) -> vocabEdited());
        vocabStrategy.setId("vocabStrategyLabel");
        vocabStrategy.setTooltip(new Tooltip("Galvatron 3.0's embedding / LM-head strategy: pp-tp*-dp, f = ZeRO-3, -sp = Ulysses"));
        HBox vocab = new HBox(10, new Label("Vocabulary (embedding + head):"), new Label("vtp"), vtp, vsp, embedSdp, vocabStrategy);
        vocab.setAlignment(Pos.CENTER_LEFT);
        vocab.setPadding(new Insets(4, 8, 4, 8));
        // the controls keep their width in a narrow pane; only the 3.0 strategy's description gives way (elided)
        for (javafx.scene.Node n : vocab.getChildren()) {
            if (n != vocabStrategy && n instanceof javafx.scene.layout.Region r) r.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        // a TP degree for every selected row at once: clicking a cell to edit it would reset a multi-row selection
        ComboBox<Integer> bulkTp = new ComboBox<>(tpChoices);
        bulkTp.setId("bulkTpChoice");
        bulkTp.setPromptText("TP");
        javafx.scene.control.Button applyTp = new javafx.scene.control.Button("Set TP on selected layers");
        applyTp.setId("bulkTpApply");
        applyTp.disableProperty().bind(bulkTp.valueProperty().isNull()
                .or(javafx.beans.binding.Bindings.isEmpty(table.getSelectionModel().getSelectedIndices())));
        applyTp.setOnAction(e -> editor.setTp(List.copyOf(table.getSelectionModel().getSelectedIndices()), bulkTp.getValue()));
        HBox bulk = new HBox(8, new Label("Selected layers:"), bulkTp, applyTp);
        bulk.setAlignment(Pos.CENTER_LEFT);
        bulk.setPadding(new Insets(0, 8, 4, 8));
        root.setTop(new javafx.scene.layout.VBox(vocab, bulk));
        root.setCenter(table);
        Label legend = new Label("Strategy code pp-tp-dp: * after tp = consecutive TP groups, * after dp = DP groups consecutive instead; "
                + "f = ZeRO-3; -c = checkpointing; -sp = Ulysses. Memory per GPU in MB, time per micro-batch in ms. Select rows and edit a "
                + "cell to change them all.");
        legend.setId("strategyLegend");
        legend.setWrapText(true);
        legend.setStyle("-fx-font-size: 11px; -fx-opacity: 0.8;");
        legend.setPadding(new javafx.geometry.Insets(2, 4, 2, 4));
        root.setBottom(legend);
        editor.estimateProperty().addListener((o, a, b) -> refresh());
        refresh();
    }

    public Parent root() { return root; }

    public TableView<LayerRowModel> table() { return table; }

    private List<Integer> targets(LayerRow edited) {
        List<Integer> selected = new ArrayList<>(table.getSelectionModel().getSelectedIndices());
        if (selected.size() > 1 && selected.contains(edited.layer())) return selected;
        return List.of(edited.layer());
    }

    private void vocabEdited() {
        if (refreshing || editor.plan() == null || vtp.getValue() == null) return;
        ParallelPlan p = editor.plan();
        if (vtp.getValue() != p.vocabTp() || vsp.isSelected() != p.vocabUlysses() || embedSdp.isSelected() != p.embedSdp()) {
            editor.setVocab(vtp.getValue(), vsp.isSelected(), embedSdp.isSelected());
        }
    }

    private void refresh() {
        EditorState s = editor.state();
        PlanEstimate e = editor.estimate();
        if (s == null || e == null) {
            rows.clear();
            return;
        }
        refreshing = true;
        try {
            Map<Integer, List<String>> problems = editor.violationsByLayer();
            int[] stageOf = s.plan().stageOfLayer();
            List<LayerRow> list = new ArrayList<>();
            for (int i = 0; i < s.plan().layerCount(); i++) {
                list.add(new LayerRow(i, stageOf[i], s.plan().layers().get(i), s.plan().cpSizes().get(i), s.plan().defaultDpType(),
                        s.plan().experts().get(i), e.layerMemory().get(i), e.layerTime().get(i), problems.getOrDefault(i, List.of())));
            }
            if (rows.size() != list.size()) {
                List<LayerRowModel> models = list.stream().map(LayerRowModel::new).toList();
                models.forEach(this::wire);
                rows.setAll(models);
            } else {
                // rows stay; only their content changes, so the table redraws the cells bound to changed rows
                for (int i = 0; i < list.size(); i++) {
                    if (!rows.get(i).row().equals(list.get(i))) rows.get(i).set(list.get(i));
                }
            }
            List<Integer> legal = editor.legalTp();
            if (!tpChoices.equals(legal)) tpChoices.setAll(legal);
            experts.set(editor.hasExperts());
            List<Integer> legalEp = editor.legalEp();
            if (!epChoices.equals(legalEp)) epChoices.setAll(legalEp);
            if (!vtp.getItems().equals(legal)) vtp.getItems().setAll(legal);
            vtp.setValue(s.plan().vocabTp());
            vsp.setSelected(s.plan().vocabUlysses());
            embedSdp.setSelected(s.plan().embedSdp());
            vocabStrategy.setText(vocabularyStrategy(s));
        } finally {
            refreshing = false;
        }
    }

    /** The vocabulary as Galvatron 3.0's strategy object, e.g. {@code 3.0: 2-2*-2-sp (ZeRO-2)}. */
    private static String vocabularyStrategy(EditorState s) {
        try {
            var e = studio.engine.plan.v3.Plan3.of(s.plan(), s.context().settings().worldSize()).vocabulary();
            return "3.0 strategy " + e.simpleString() + " (" + e.dpType().label() + ")";
        } catch (IllegalArgumentException ex) {
            return "";
        }
    }

    /** What each column means, with its unit, on the header (hover it). */
    static final Map<String, String> HEADER_HELP = Map.ofEntries(
            Map.entry("Layer", "The layer's index in the model, 0 first"),
            Map.entry("Stage", "The pipeline stage (PP rank) the layer runs on"),
            Map.entry("TP / SP", "Tensor-parallel degree (with Megatron sequence parallelism), or the Ulysses degree when "
                    + "Ulysses is on: GPUs that split one layer"),
            Map.entry("DP", "Data-parallel degree: the stage's GPUs divided by TP (or Ulysses) and CP"),
            Map.entry("CP", "Context-parallel degree (cp_sizes_enc): GPUs that split the sequence with ring attention; Galvatron 3.0's "
                    + "cost model does not divide a layer by it (quirk Q-v3-4)"),
            Map.entry("DP type", "Galvatron 3.0's data-parallel type: DDP (a group of one), ZeRO-2 or DDP by default, ZeRO-3 when sharded"),
            Map.entry("EP", "Expert-parallel degree (ep_sizes_enc): GPUs the layer's experts are split over; the tokens reach them by "
                    + "four all-to-alls a layer (docs/EXPERT_PARALLEL.md)"),
            Map.entry("Expert TP", "Expert tensor parallelism (tp_of_ep_sizes_enc): GPUs each expert's width is split over; the experts' "
                    + "states shard over the rest of the stage (stage / (ep x expert TP))"),
            Map.entry("Ulysses degree", "Galvatron 3.0's sp: the Ulysses sequence-parallel degree (1 when the layer uses Megatron-TP)"),
            Map.entry("ZeRO-3", "Sharded data parallelism (ZeRO-3 / FSDP): parameters, gradients and optimizer states split "
                    + "over the DP group; off means the default DP type (DDP or ZeRO-2)"),
            Map.entry("TP consecutive", "TP groups on consecutive GPUs (on: same node, fast links); off: DP groups are"),
            Map.entry("Checkpoint", "Activation checkpointing: recompute the layer in the backward pass instead of keeping "
                    + "its activations"),
            Map.entry("Ulysses", "DeepSpeed-Ulysses sequence parallelism in place of Megatron TP (all-to-all of the sequence)"),
            Map.entry("Strategy", "Galvatron's code: pp-tp-dp; * after tp = consecutive TP groups, * after dp = not "
                    + "consecutive; f = ZeRO-3; -c = checkpointing; -sp = Ulysses. 1-2*-4f-c: pp 1, tp 2 (consecutive), dp 4, "
                    + "ZeRO-3, checkpointed"),
            Map.entry("Memory (MB)", "The layer's memory per GPU in MB: model states after ZeRO sharding and the activations "
                    + "alive at the peak"),
            Map.entry("Time (ms)", "The layer's time per micro-batch in ms: forward, backward, TP/SP and exposed DP "
                    + "communication"));

    private void explainHeaders() {
        for (TableColumn<LayerRowModel, ?> c : table.getColumns()) {
            String help = HEADER_HELP.get(c.getText());
            if (help == null) continue;
            Label header = new Label(c.getText());
            javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip(help);
            tip.setWrapText(true);
            tip.setMaxWidth(420);
            header.setTooltip(tip);
            header.setId("header-" + c.getText().replaceAll("[^A-Za-z]", ""));
            c.setText(null);
            c.setGraphic(header);
            // wide enough for the header (measured in the table's font) and for the values below it
            double width = studio.app.theme.Tables.headerWidth(header.getText());
            header.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            c.setMinWidth(width);
            c.setPrefWidth(Math.max(width, c.getPrefWidth() < 80 ? width : Math.min(c.getPrefWidth(), 110)));
        }
    }

    private static TableColumn<LayerRowModel, String> text(String title, Function<LayerRow, String> value) {
        TableColumn<LayerRowModel, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> cell.getValue().rowProperty().map(value));
        c.setSortable(false);
        c.setEditable(false);
        return c;
    }

    private TableColumn<LayerRowModel, Boolean> flag(String title, String id, LayerRowModel.Flag flag,
                                                     BiFunction<List<Integer>, Boolean, Boolean> set) {
        TableColumn<LayerRowModel, Boolean> c = new TableColumn<>(title);
        c.setId(id);
        c.setSortable(false);
        c.setCellValueFactory(cell -> cell.getValue().flag(flag));
        c.setCellFactory(CheckBoxTableCell.forTableColumn(c));
        return c;
    }

    /** The checkboxes are the edit gesture: a user's toggle goes to the editor, which then refreshes the rows. */
    private void wire(LayerRowModel m) {
        for (LayerRowModel.Flag f : LayerRowModel.Flag.values()) {
            m.flag(f).addListener((o, was, now) -> {
                if (refreshing) return;
                List<Integer> t = targets(m.row());
                boolean applied = switch (f) {
                    case ZERO3 -> editor.setZero3(t, now);
                    case TP_CONSECUTIVE -> editor.setTpConsecutive(t, now);
                    case CHECKPOINT -> editor.setCheckpoint(t, now);
                    case ULYSSES -> editor.setUlysses(t, now);
                };
                if (!applied) {
                    refreshing = true;
                    try {
                        m.flag(f).set(was);
                    } finally {
                        refreshing = false;
                    }
                }
            });
        }
    }
}
