package studio.app.search;

import javafx.beans.binding.Bindings;
import javafx.beans.property.IntegerProperty;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchSpace;

import java.util.Locale;
import java.util.function.Consumer;

/** The search panel: options grouped as in Galvatron's arguments, run/cancel with progress, the result list. */
public final class SearchView {
    private final BorderPane root = new BorderPane();
    private final TableView<SearchHit> table;

    /**
     * @param search   runs the search (the window supplies the context and, for pinned searches, the pinned layers)
     * @param open     opens a result in the editor
     * @param compare  adds a result to the comparison
     */
    public SearchView(SearchViewModel vm, Runnable search, Runnable searchPinned, Consumer<SearchHit> open, Consumer<SearchHit> compare) {
        GridPane batch = grid();
        row(batch, 0, "Fixed batch (settle_bsz, -1: sweep)", spinner(vm.settleBsz, -1, 1 << 16, "settleBsz"),
                "Galvatron's --settle_bsz: search only this global batch size; -1 sweeps min..max by scale");
        row(batch, 1, "Fixed chunks (settle_chunk, -1: all)", spinner(vm.settleChunk, -1, 1 << 16, "settleChunk"),
                "--settle_chunk: only this number of micro-batches; -1 tries every divisor of the batch");
        row(batch, 2, "Sweep min_bsz", spinner(vm.minBsz, 1, 1 << 16, "minBsz"), "--min_bsz (Galvatron default 8)");
        row(batch, 3, "Sweep max_bsz", spinner(vm.maxBsz, 1, 1 << 16, "maxBsz"), "--max_bsz (Galvatron default 10240; keep it small)");
        row(batch, 4, "Sweep bsz_scale", spinner(vm.bszScale, 1, 1 << 16, "bszScale"), "--bsz_scale (default 8)");

        GridPane space = grid();
        ComboBox<SearchSpace> ss = new ComboBox<>();
        ss.getItems().setAll(SearchSpace.values());
        ss.valueProperty().bindBidirectional(vm.searchSpace);
        row(space, 0, "Search space", ss, "--search_space: full, dp+tp, dp+pp, 3d, dp, sdp, tp, pp");
        row(space, 1, "max_tp_deg", spinner(vm.maxTpDeg, 1, 64, "maxTpDeg"), "--max_tp_deg (default 8)");
        row(space, 2, "max_pp_deg", spinner(vm.maxPpDeg, 1, 64, "maxPpDeg"), "--max_pp_deg (default 8)");
        VBox disables = new VBox(4, check("no data parallel (disable_dp)", vm.disableDp), check("no tensor parallel (disable_tp)", vm.disableTp),
                check("no pipeline (disable_pp)", vm.disablePp), check("no ZeRO-3 (disable_sdp)", vm.disableSdp),
                check("no checkpointing (disable_ckpt)", vm.disableCkpt), check("no strided TP groups (disable_tp_consec)", vm.disableTpConsec));
        space.add(disables, 0, 3, 2, 1);

        GridPane mode = grid();
        ComboBox<SearchMode> m = new ComboBox<>();
        m.setId("searchMode");
        m.getItems().setAll(SearchMode.values());
        m.valueProperty().bindBidirectional(vm.mode);
        row(mode, 0, "Mode", m, "galvatron-v2: exactly Galvatron's choice; studio: only plans Galvatron's runtime can build, "
                + "pipeline division searched");
        CheckBox fine = check("per-layer strategies (fine_grained_mode 1)", vm.fineGrained);
        mode.add(fine, 0, 1, 2, 1);
        row(mode, 2, "Worker threads", spinner(vm.workers, 1, 64, "workers"), "--parallel_search --worker N");
        mode.add(new Label("Cluster, budget, precision, pipeline and DP type: from the toolbar."), 0, 3, 2, 1);

        Button run = new Button("Search");
        run.setId("runSearch");
        run.setDefaultButton(true);
        run.disableProperty().bind(vm.runningProperty());
        run.setOnAction(e -> search.run());
        Button pinned = new Button("Re-search with selected layers pinned");
        pinned.setId("runPinnedSearch");
        pinned.disableProperty().bind(vm.runningProperty());
        pinned.setOnAction(e -> searchPinned.run());
        Button cancel = new Button("Cancel");
        cancel.setId("cancelSearch");
        cancel.disableProperty().bind(vm.runningProperty().not());
        cancel.setOnAction(e -> vm.cancel());
        ProgressBar bar = new ProgressBar();
        bar.setId("searchProgress");
        bar.progressProperty().bind(vm.progressProperty());
        bar.setPrefWidth(260);
        Label status = new Label();
        status.setId("searchStatus");
        status.textProperty().bind(vm.statusProperty());
        HBox actions = new HBox(8, run, pinned, cancel, bar, status);
        actions.setPadding(new Insets(6));

        table = new TableView<>(vm.results());
        table.setId("searchResults");
        table.getColumns().add(studio.app.theme.Tables.column("Result", SearchHit::label));
        table.getColumns().add(studio.app.theme.Tables.column("Throughput (samples/s)", h -> String.format(Locale.ROOT, "%.4f", h.throughput())));
        table.getColumns().add(studio.app.theme.Tables.column("Iteration (s)", h -> String.format(Locale.ROOT, "%.4f", h.iterationS())));
        table.getColumns().add(studio.app.theme.Tables.column("Peak memory (MB)", h -> String.format(Locale.ROOT, "%,d", h.peakMemoryMb())));
        table.getColumns().add(studio.app.theme.Tables.column("pp", h -> String.valueOf(h.pp())));
        table.getColumns().add(studio.app.theme.Tables.column("Chunks", h -> String.valueOf(h.chunks())));
        table.getColumns().add(studio.app.theme.Tables.column("Division", h -> h.plan().pipelineDivision().toString()));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setRowFactory(t -> {
            var row = new javafx.scene.control.TableRow<SearchHit>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) open.accept(row.getItem());
            });
            return row;
        });
        Button openBtn = new Button("Open in editor");
        openBtn.setId("openResult");
        openBtn.disableProperty().bind(Bindings.isNull(table.getSelectionModel().selectedItemProperty()));
        openBtn.setOnAction(e -> open.accept(table.getSelectionModel().getSelectedItem()));
        Button cmp = new Button("Add to comparison");
        cmp.setId("compareResult");
        cmp.disableProperty().bind(Bindings.isNull(table.getSelectionModel().selectedItemProperty()));
        cmp.setOnAction(e -> compare.accept(table.getSelectionModel().getSelectedItem()));
        HBox resultActions = new HBox(8, openBtn, cmp);
        resultActions.setPadding(new Insets(6));

        HBox options = new HBox(8, titled("Batch sweep", batch), titled("Search space and disables", space), titled("Mode", mode));
        options.setPadding(new Insets(6));
        root.setTop(new VBox(options, actions));
        root.setCenter(table);
        root.setBottom(resultActions);
    }

    public Parent root() { return root; }

    public TableView<SearchHit> table() { return table; }

    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(6);
        g.setVgap(4);
        return g;
    }

    private static void row(GridPane g, int r, String label, Node control, String tip) {
        Label l = new Label(label);
        Tooltip t = new Tooltip(tip);
        l.setTooltip(t);
        if (control instanceof javafx.scene.control.Control c) c.setTooltip(t);
        g.add(l, 0, r);
        g.add(control, 1, r);
    }

    private static Spinner<Integer> spinner(IntegerProperty p, int min, int max, String id) {
        Spinner<Integer> s = new Spinner<>(min, max, p.get());
        s.setEditable(true);
        s.setPrefWidth(100);
        s.setId(id);
        s.valueProperty().addListener((o, a, b) -> p.set(b));
        p.addListener((o, a, b) -> s.getValueFactory().setValue(b.intValue()));
        return s;
    }

    private static CheckBox check(String text, javafx.beans.property.BooleanProperty p) {
        CheckBox c = new CheckBox(text);
        c.setMnemonicParsing(false);
        c.selectedProperty().bindBidirectional(p);
        return c;
    }

    private static TitledPane titled(String title, Node content) {
        TitledPane t = new TitledPane(title, content);
        t.setCollapsible(false);
        return t;
    }

    /** One more column of the results (the calibrated iteration, say). */
    public void addColumn(javafx.scene.control.TableColumn<SearchHit, String> column) {
        table.getColumns().add(column);
    }
}
