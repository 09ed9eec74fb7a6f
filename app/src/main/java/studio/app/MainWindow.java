package studio.app;

import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.controlsfx.control.StatusBar;
import studio.app.charts.StageCharts;
import studio.app.grid.PlanGridView;
import studio.app.pipeline.PipelineBar;
import studio.app.actions.StandardAction;
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.EditorState;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.app.project.Project;
import studio.app.project.ProjectStore;
import studio.app.toolbar.PlanToolbar;
import studio.engine.model.ModelCatalog;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.RuleViolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The editor window: menus, toolbar, pipeline bar, grid, charts and status bar, wired to one {@link PlanEditor}. */
public final class MainWindow {
    private final PlanEditor editor;
    private final ContextLoader loader;
    private final ProjectStore store;
    private final BorderPane root = new BorderPane();
    private final StatusBar status = new StatusBar();
    private final ReadOnlyStringWrapper background = new ReadOnlyStringWrapper("");
    private final PlanToolbar toolbar;
    private final PipelineBar pipeline;
    private final PlanGridView grid;
    private final StageCharts charts;
    private final studio.app.search.SearchViewModel searchVm;
    private final studio.app.search.SearchView searchView;
    private final studio.app.compare.CompareView compareView;
    private final studio.app.whatif.WhatIfView whatIfView;
    private final studio.app.explain.ExplainView explainView;
    private final studio.app.pipeline.PipelineTimelineView timelineView;
    private final javafx.scene.control.TabPane tabs = new javafx.scene.control.TabPane();
    private final studio.app.remote.RemoteViewModel remoteVm;
    private final studio.app.remote.RemoteView remoteView;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "studio-background");
        t.setDaemon(true);
        return t;
    });
    private final javafx.beans.property.ObjectProperty<Path> projectFile = new javafx.beans.property.SimpleObjectProperty<>();
    private String notes = "";
    /** The editor state last saved or opened: the project has unsaved changes while the editor holds another one. */
    private studio.app.project.EditorState savedState;
    private final javafx.beans.property.ReadOnlyBooleanWrapper dirty = new javafx.beans.property.ReadOnlyBooleanWrapper();

    public MainWindow(PlanEditor editor, ContextLoader loader, ProjectStore store) {
        this(editor, loader, store, studio.app.remote.RemoteSetup.defaults());
    }

    public MainWindow(PlanEditor editor, ContextLoader loader, ProjectStore store, studio.app.remote.RemoteSetup remote) {
        this.editor = editor;
        this.loader = loader;
        this.store = store;
        toolbar = new PlanToolbar(editor, new ModelCatalog(loader.sampleRoot()).presetNames(), this::reload, this::searchAgain);
        pipeline = new PipelineBar(editor);
        grid = new PlanGridView(editor);
        charts = new StageCharts(editor);
        searchVm = new studio.app.search.SearchViewModel(worker);
        searchView = new studio.app.search.SearchView(searchVm, () -> runSearch(false), () -> runSearch(true), this::openHit,
                h -> addToComparison(h.label(), h.plan()));
        compareView = new studio.app.compare.CompareView(editor, () -> studio.app.compare.Comparison.uniformBaseline(
                editor.state().context(), editor.plan().globalBatch()));
        whatIfView = new studio.app.whatif.WhatIfView(editor, loader, worker);
        explainView = new studio.app.explain.ExplainView(editor);
        timelineView = new studio.app.pipeline.PipelineTimelineView(editor);
        remoteVm = new studio.app.remote.RemoteViewModel(editor, loader, new studio.app.remote.RunnerClient(remote.runnerJar(), remote.remoteBase()),
                remote.knownHosts(), remote.policy(), Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "studio-remote");
                    t.setDaemon(true);
                    return t;
                }));
        timelineView.showLastRun(remoteVm.lastMeasuredIterationS(), remoteVm.lastPredictedIterationS());
        remoteView = new studio.app.remote.RemoteView(remoteVm);
        grid.table().getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> explainView.show(b.intValue()));
        editor.estimateProperty().addListener((o, a, b) -> {
            int sel = grid.table().getSelectionModel().getSelectedIndex();
            if (sel >= 0) explainView.show(sel);
        });
        VBox left = new VBox(pipeline.root(), grid.root());
        VBox.setVgrow(grid.root(), javafx.scene.layout.Priority.ALWAYS);
        SplitPane center = new SplitPane(left, charts.root());
        center.setDividerPositions(0.55);
        tabs.getTabs().addAll(tab("Editor", "editorTab", center), tab("Search", "searchTab", searchView.root()),
                tab("Compare", "compareTab", compareView.root()), tab("What-if", "whatIfTab", whatIfView.root()),
                tab("Explain layer", "explainTab", explainView.root()), tab("Pipeline timeline", "timelineTab", timelineView.root()),
                tab("Cluster and training", "remoteTab", remoteView.root()));
        root.setTop(new VBox(menus(), toolbar.root()));
        root.setCenter(tabs);
        status.setId("statusBar");
        status.textProperty().bind(Bindings.createStringBinding(() -> searchVm.runningProperty().get() ? searchVm.statusProperty().get()
                : background.get().isEmpty() ? editor.messageProperty().get() : background.get(), background, editor.messageProperty(),
                searchVm.runningProperty(), searchVm.statusProperty()));
        root.setBottom(status);
        // the studio's own style rules (broken rows, differing cells, handles) have dark variants under this class
        Runnable darkClass = () -> {
            if (studio.app.theme.Themes.isDark()) {
                if (!root.getStyleClass().contains("dark")) root.getStyleClass().add("dark");
            } else {
                root.getStyleClass().remove("dark");
            }
        };
        darkClass.run();
        studio.app.theme.Themes.darkProperty().addListener((o, a, b) -> darkClass.run());
        editor.stateProperty().addListener((o, a, b) -> {
            dirty.set(b != null && b != savedState);
            autosave();
        });
    }

    /** True while the project has changes that are not saved. */
    public javafx.beans.property.ReadOnlyBooleanProperty dirtyProperty() { return dirty.getReadOnlyProperty(); }

    /** The window title: the project's name and an unsaved marker. */
    public javafx.beans.binding.StringBinding titleBinding() {
        return Bindings.createStringBinding(() -> (dirty.get() ? "* " : "")
                + (projectFile.get() == null ? "untitled" : projectFile.get().getFileName().toString()) + " — Galvatron Studio", dirty, projectFile);
    }

    /** The open project's file (null until it is saved). */
    public Path projectFile() { return projectFile.get(); }

    private void markSaved() {
        savedState = editor.state();
        dirty.set(false);
    }

    /**
     * Installs the window's title and its close guard on {@code stage}: closing with unsaved changes asks first.
     */
    public void attach(javafx.stage.Stage stage) {
        stage.titleProperty().bind(titleBinding());
        stage.setOnCloseRequest(e -> {
            if (!confirmDiscard("close the window")) e.consume();
        });
    }

    /** The three answers to "unsaved changes". */
    public static final ButtonType SAVE = new ButtonType("Save", javafx.scene.control.ButtonBar.ButtonData.YES);
    public static final ButtonType DONT_SAVE = new ButtonType("Don't save", javafx.scene.control.ButtonBar.ButtonData.NO);

    /**
     * Before unsaved changes would be lost: asks to save them, throw them away or cancel. True when the caller may go
     * on (saved, or the user chose not to save).
     */
    public boolean confirmDiscard(String action) {
        if (!dirty.get()) return true;
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The project "
                + (projectFile.get() == null ? "(not saved yet)" : projectFile.get().getFileName().toString())
                + " has unsaved changes. Save them before you " + action + "?", SAVE, DONT_SAVE, ButtonType.CANCEL);
        a.setHeaderText("Unsaved changes");
        if (window() != null) a.initOwner(window());
        ButtonType answer = a.showAndWait().orElse(ButtonType.CANCEL);
        if (answer == DONT_SAVE) return true;
        if (answer != SAVE) return false;
        if (projectFile.get() == null) {
            var f = askProjectFile();
            return f.isPresent() && saveProject(f.get());
        }
        return saveProject(projectFile.get());
    }

    /**
     * At start: offers back the unsaved project a studio that did not close cleanly left (restore, discard or keep it
     * for later), names recovery files that could not be read (kept aside), else opens the sample.
     */
    public void startUp() {
        ProjectStore.RecoveryScan scan = store.scanRecovery();
        if (!scan.setAside().isEmpty()) error("Recovery", String.join("\n", scan.setAside()));
        if (scan.found().isEmpty()) {
            openSample();
            return;
        }
        ProjectStore.Recovery r = scan.found().get(0);
        ButtonType restore = new ButtonType("Restore", javafx.scene.control.ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType("Discard", javafx.scene.control.ButtonBar.ButtonData.NO);
        ButtonType later = new ButtonType("Keep for later", javafx.scene.control.ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Unsaved work on " + (r.projectFile() == null ? "an unsaved project" : r.projectFile())
                + " (" + r.project().settings().model() + ", last change " + r.written() + ") was left by a studio that did not close cleanly"
                + (scan.found().size() > 1 ? "; " + (scan.found().size() - 1) + " more will be offered at the next start" : "") + ". Restore it?",
                restore, discard, later);
        a.setHeaderText("Restore unsaved work?");
        if (window() != null) a.initOwner(window());
        ButtonType answer = a.showAndWait().orElse(later);
        if (answer == restore) {
            openRecovered(r);
        } else {
            if (answer == discard) {
                try {
                    store.discard(r);
                } catch (IOException e) {
                    error("Recovery", "Could not remove " + r.file() + ": " + e.getMessage());
                }
            }
            openSample();
        }
    }

    public BorderPane root() { return root; }

    public PlanEditor editor() { return editor; }

    private static javafx.scene.control.Tab tab(String title, String id, javafx.scene.Node content) {
        javafx.scene.control.Tab t = new javafx.scene.control.Tab(title, content);
        t.setId(id);
        t.setClosable(false);
        return t;
    }

    public javafx.scene.control.TabPane tabs() { return tabs; }

    public studio.app.search.SearchViewModel searchModel() { return searchVm; }

    public studio.app.search.SearchView searchView() { return searchView; }

    public studio.app.compare.CompareView compareView() { return compareView; }

    public studio.app.whatif.WhatIfView whatIfView() { return whatIfView; }

    public studio.app.explain.ExplainView explainView() { return explainView; }

    public studio.app.pipeline.PipelineTimelineView timelineView() { return timelineView; }

    public studio.app.remote.RemoteViewModel remoteModel() { return remoteVm; }

    /** Runs the search panel's search; pinned: the grid's selected layers keep their current strategies. */
    public void runSearch(boolean pinned) {
        if (editor.state() == null) return;
        java.util.Map<Integer, studio.engine.plan.LayerStrategy> pins = new java.util.TreeMap<>();
        if (pinned) {
            for (int i : grid.table().getSelectionModel().getSelectedIndices()) pins.put(i, editor.plan().layers().get(i));
            if (pins.isEmpty()) {
                editorMessage("Select the layers to pin in the editor's grid first");
                return;
            }
        }
        if (pinned) {
            // the pinned layers belong to this plan at its batch size: search that batch, not the panel's sweep
            searchVm.settleBsz.set(editor.plan().globalBatch());
            tabs.getSelectionModel().select(1);
        }
        int pinnedCount = pins.size();
        searchVm.run(editor.state().context(), pins, r -> {
            if (!pinned) return;
            if (!searchVm.results().isEmpty()) {
                searchView.table().getSelectionModel().select(0);
                searchView.table().scrollTo(0);
            }
            editorMessage(r ? "Re-searched with " + pinnedCount + " layers pinned at batch " + editor.plan().globalBatch()
                    + ": the result is the first row of the Search tab (Open puts it in the editor)"
                    : "Re-searched with " + pinnedCount + " layers pinned: nothing fits");
        });
    }

    public void openHit(studio.app.search.SearchHit h) {
        editor.replacePlan(h.plan(), "search result: " + h.label());
        toolbar.refresh();
        tabs.getSelectionModel().select(0);
    }

    public void addToComparison(String name, ParallelPlan p) {
        compareView.add(new studio.app.compare.NamedPlan(name, p));
    }

    /** Saves the editor's four charts as PNG and SVG into {@code dir} ({@code memory-per-stage.png}, ...), captioned with the plan. */
    public List<Path> exportCharts(Path dir) throws IOException {
        return exportCharts(dir, "");
    }

    public List<Path> exportCharts(Path dir, String prefix) throws IOException {
        return charts.export(dir, prefix, caption());
    }

    /** The plan in one line, for captions: model, cluster, GPU, budget, precision, strategy and throughput. */
    public String caption() {
        ClusterSettings s = editor.state().context().settings();
        return String.format(java.util.Locale.ROOT, "%s · %d x %d %s · %d GB · %s · pp %d, global batch %d · %.3f samples/s%s",
                editor.state().context().model().name(), s.nodes(), s.gpusPerNode(), s.gpu(), s.memoryGb(), s.mixedPrecision(), editor.plan().pp(),
                editor.plan().globalBatch(), editor.estimate().throughput(), editor.state().context().isEstimated() ? " · ESTIMATED profiles" : "");
    }

    /** A file name for the open plan: model and cluster. */
    public String suggestedName() {
        if (editor.state() == null) return "plan";
        ClusterSettings s = editor.state().context().settings();
        return (editor.state().context().model().name() + "-" + s.nodes() + "x" + s.gpusPerNode() + "-" + s.memoryGb() + "GB")
                .replaceAll("[^A-Za-z0-9._-]", "_");
    }

    public PlanGridView grid() { return grid; }

    public StageCharts charts() { return charts; }

    public ReadOnlyStringProperty backgroundProperty() { return background.getReadOnlyProperty(); }

    /** The window's scene: the studio's style sheet, drag-and-drop of configs and projects, and the shortcuts. */
    public Scene newScene() {
        Scene scene = new Scene(root(), 1400, 860);
        scene.getStylesheets().add(StudioApp.class.getResource("studio.css").toExternalForm());
        install(scene);
        return scene;
    }

    private static final KeyCombination UNDO_KEY = StandardAction.UNDO.key();
    private static final KeyCombination REDO_KEY = StandardAction.REDO.key();

    private void install(Scene scene) {
        // undo and redo from anywhere: a focused text field would otherwise swallow the keys (its own text undo aside)
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            boolean undoKey = UNDO_KEY.match(e);
            boolean redoKey = REDO_KEY.match(e);
            if (!undoKey && !redoKey) return;
            javafx.scene.Node owner = scene.getFocusOwner();
            javafx.scene.control.TextInputControl field = owner instanceof javafx.scene.control.TextInputControl t ? t
                    : owner instanceof javafx.scene.control.Spinner<?> sp && sp.isEditable() ? sp.getEditor()
                    : owner instanceof javafx.scene.control.ComboBox<?> cb && cb.isEditable() ? cb.getEditor() : null;
            if (field != null && (undoKey ? field.isUndoable() : field.isRedoable())) return;
            if (undoKey) editor.undo(); else editor.redo();
            e.consume();
        });
        scene.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
            e.consume();
        });
        scene.setOnDragDropped(e -> {
            boolean ok = false;
            if (e.getDragboard().hasFiles()) {
                for (var f : e.getDragboard().getFiles()) {
                    openAny(f.toPath());
                    ok = true;
                }
            }
            e.setDropCompleted(ok);
            e.consume();
        });
    }

    private MenuBar menus() {
        Menu file = new Menu("File");
        MenuItem newProject = StandardAction.NEW_PROJECT.menuItem(() -> {
            if (confirmDiscard("start a new project")) openSample();
        });
        MenuItem close = StandardAction.CLOSE_PROJECT.menuItem(() -> {
            if (confirmDiscard("close the project")) openSample();
        });
        MenuItem open = StandardAction.OPEN_PROJECT.menuItem(() -> {
            if (confirmDiscard("open another project")) choose(false, "Galvatron Studio project", "*.gsp.json", "*.json").ifPresent(this::openProject);
        });
        MenuItem save = StandardAction.SAVE_PROJECT.menuItem(() -> {
            if (projectFile.get() == null) saveAs(); else saveProject(projectFile.get());
        });
        MenuItem quit = StandardAction.QUIT.menuItem(() -> {
            if (confirmDiscard("quit") && window() instanceof javafx.stage.Stage st) {
                closed();
                st.close();
            }
        });
        MenuItem saveAs = StandardAction.SAVE_PROJECT_AS.menuItem(this::saveAs);
        MenuItem imp = StandardAction.IMPORT_CONFIG.menuItem(() -> choose(false, "Galvatron config", "*.json").ifPresent(this::importConfig));
        MenuItem exp = StandardAction.EXPORT_CONFIG.menuItem(this::exportInteractive);
        MenuItem yaml = StandardAction.OPEN_GALVATRON3_YAML.menuItem(() -> {
            if (confirmDiscard("open a Galvatron 3.0 YAML")) choose(false, "Galvatron 3.0 search YAML", "*.yaml", "*.yml").ifPresent(this::openYaml);
        });
        Menu recent = new Menu("Recent projects");
        recent.setOnShowing(e -> {
            recent.getItems().clear();
            for (Path p : store.recent()) {
                MenuItem mi = new MenuItem(p.toString());
                mi.setOnAction(a -> {
                    if (confirmDiscard("open another project")) openProject(p);
                });
                recent.getItems().add(mi);
            }
        });
        recent.getItems().add(new MenuItem("(none)"));
        MenuItem expCharts = StandardAction.EXPORT_CHARTS.menuItem(() -> {
            var d = new javafx.stage.DirectoryChooser().showDialog(window());
            if (d == null) return;
            javafx.scene.control.TextInputDialog name = new javafx.scene.control.TextInputDialog(suggestedName());
            name.setHeaderText("Name the chart files");
            name.setContentText("File names start with:");
            if (window() != null) name.initOwner(window());
            var prefix = name.showAndWait();
            if (prefix.isEmpty()) return;
            try {
                editorMessage("Exported " + exportCharts(d.toPath(), prefix.get().strip().replaceAll("[/\\\\]", "_")).size() + " chart files to " + d);
            } catch (IOException | RuntimeException ex) {
                error("Chart export failed", ex.getMessage());
            }
        });
        file.getItems().addAll(newProject, open, recent, close, save, saveAs, imp, yaml, exp, expCharts, new javafx.scene.control.SeparatorMenuItem(),
                quit);
        Menu edit = new Menu("Edit");
        MenuItem undo = StandardAction.UNDO.menuItem(editor::undo);
        MenuItem redo = StandardAction.REDO.menuItem(editor::redo);
        undo.disableProperty().bind(editor.canUndoProperty().not());
        redo.disableProperty().bind(editor.canRedoProperty().not());
        edit.getItems().addAll(undo, redo);
        Menu searchMenu = new Menu("Search");
        MenuItem run = StandardAction.SEARCH.menuItem(() -> {
            tabs.getSelectionModel().select(1);
            runSearch(false);
        });
        MenuItem pinned = StandardAction.SEARCH_PINNED.menuItem(() -> runSearch(true));
        MenuItem stop = StandardAction.CANCEL_SEARCH.menuItem(() -> searchVm.cancel());
        run.disableProperty().bind(searchVm.runningProperty());
        stop.disableProperty().bind(searchVm.runningProperty().not());
        MenuItem again = StandardAction.SEARCH_AGAIN.menuItem(this::searchAgain);
        MenuItem addCmp = StandardAction.ADD_TO_COMPARISON.menuItem(() -> {
            if (editor.plan() != null) addToComparison("edited plan " + (compareView.shelf().size() + 1), editor.plan());
        });
        searchMenu.getItems().addAll(run, pinned, stop, again, addCmp);
        Menu view = new Menu("View");
        javafx.scene.control.ToggleGroup themes = new javafx.scene.control.ToggleGroup();
        for (studio.app.theme.Themes.Choice c : studio.app.theme.Themes.Choice.values()) {
            javafx.scene.control.RadioMenuItem mi = new javafx.scene.control.RadioMenuItem(
                    c == studio.app.theme.Themes.Choice.SYSTEM ? "Theme: follow the system" : c == studio.app.theme.Themes.Choice.LIGHT
                            ? "Theme: light" : "Theme: dark");
            mi.setToggleGroup(themes);
            mi.setSelected(c == studio.app.theme.Themes.Choice.SYSTEM);
            mi.setOnAction(e -> studio.app.theme.Themes.apply(c));
            view.getItems().add(mi);
        }
        javafx.scene.control.CheckMenuItem gib = new javafx.scene.control.CheckMenuItem("Memory in GiB (else MB)");
        gib.selectedProperty().bindBidirectional(studio.app.theme.Units.gibProperty());
        view.getItems().addAll(new javafx.scene.control.SeparatorMenuItem(), gib, new javafx.scene.control.SeparatorMenuItem());
        for (int i = 0; i < StandardAction.tabs().size(); i++) {
            final int t = i;
            view.getItems().add(StandardAction.tabs().get(i).menuItem(() -> tabs.getSelectionModel().select(t)));
        }
        Menu help = new Menu("Help");
        MenuItem keys = StandardAction.SHORTCUTS.menuItem(() -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, StandardAction.shortcutSheet(), ButtonType.OK);
            a.setHeaderText("Keyboard shortcuts");
            a.getDialogPane().setStyle("-fx-font-family: monospace;");
            a.initOwner(window());
            a.show();
        });
        MenuItem about = StandardAction.ABOUT.menuItem(() -> {
            String v = StudioApp.class.getPackage().getImplementationVersion();
            Alert a = new Alert(Alert.AlertType.INFORMATION, "Galvatron Studio " + (v == null ? "0.1.0-SNAPSHOT" : v) + "\n\nPlans, searches "
                    + "and launches distributed training of Transformer models with Galvatron's cost model (PKU-DAIR's Galvatron, "
                    + "Apache-2.0).\nJava " + System.getProperty("java.version") + ", JavaFX " + System.getProperty("javafx.version")
                    + "\nProfiles: " + loader.sampleRoot(), ButtonType.OK);
            a.setHeaderText("About Galvatron Studio");
            if (window() != null) a.initOwner(window());
            a.show();
        });
        help.getItems().addAll(keys, about);
        return new MenuBar(file, edit, searchMenu, view, help);
    }


    private Window window() { return root.getScene() == null ? null : root.getScene().getWindow(); }

    private java.util.Optional<Path> choose(boolean save, String what, String... patterns) {
        FileChooser fc = new FileChooser();
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(what, patterns));
        var f = save ? fc.showSaveDialog(window()) : fc.showOpenDialog(window());
        return java.util.Optional.ofNullable(f).map(java.io.File::toPath);
    }

    // ------------------------------------------------------------------------------------------ background work

    /** Runs {@code work} off the FX thread with its name in the status bar; {@code done} runs on the FX thread. */
    public <T> Task<T> background(String what, java.util.concurrent.Callable<T> work, java.util.function.Consumer<T> done) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        background.set(what + "…");
        status.progressProperty().bind(task.progressProperty());
        task.setOnSucceeded(e -> {
            background.set("");
            status.progressProperty().unbind();
            status.setProgress(0);
            done.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            background.set("");
            status.progressProperty().unbind();
            status.setProgress(0);
            error(what + " failed", task.getException().getMessage());
        });
        worker.submit(task);
        return task;
    }

    private record Loaded(PlanningContext context, ParallelPlan plan, String description) {
        Loaded(PlanningContext context, ParallelPlan plan) {
            this(context, plan, "");
        }
    }

    /** Opens the shipped sample with a searched plan (what a newcomer sees first). */
    public Task<?> openSample() {
        return background("Loading the llama-7b sample and searching a plan", () -> {
            PlanningContext ctx = loader.load(ClusterSettings.sample());
            return new Loaded(ctx, loader.searchedPlan(ctx, 64));
        }, l -> {
            editor.open(l.context(), l.plan(), "llama-7b on 1 x 8 A100 (36 GB): the studio's searched plan");
            projectFile.set(null);
            markSaved();
            toolbar.refresh();
        });
    }

    /**
     * New model, cluster or precision: new profiles, and the plan kept and re-costed on them (what no longer fits or
     * breaks a rule is marked); only when it cannot be kept is a plan searched. Either way one undoable step.
     */
    public Task<?> reload(ClusterSettings s) {
        ParallelPlan current = editor.plan();
        int batch = current == null ? 64 : current.globalBatch();
        String where = s.model() + " on " + s.nodes() + " x " + s.gpusPerNode() + " GPUs, " + s.memoryGb() + " GB";
        return background("Loading profiles for " + where, () -> {
            PlanningContext ctx = loader.load(s);
            ContextLoader.Carried carried = current == null ? new ContextLoader.Carried(null, null) : ContextLoader.carryOver(current, ctx);
            if (carried.plan() != null) return new Loaded(ctx, carried.plan(), "kept the plan, re-costed for " + where);
            return new Loaded(ctx, loader.searchedPlan(ctx, batch), "searched a plan for " + where
                    + (carried.whyNot() == null ? "" : " (the plan could not be kept: " + carried.whyNot() + ")"));
        }, l -> {
            if (editor.state() == null) editor.open(l.context(), l.plan(), l.description());
            else editor.apply(new EditorState(l.context(), l.plan(), l.description()));
            toolbar.refresh();
        });
    }

    /** A fresh search for the open cluster, replacing the plan as one undoable step. */
    public Task<?> searchAgain() {
        if (editor.state() == null) return null;
        PlanningContext ctx = editor.state().context();
        int batch = editor.plan().globalBatch();
        return background("Searching a plan for " + ctx.model().name(), () -> loader.searchedPlan(ctx, batch), p -> {
            if (editor.state() != null && editor.state().context() == ctx) {
                editor.apply(new EditorState(ctx, p, "searched again for " + ctx.model().name() + " (undo goes back to the plan before)"));
                toolbar.refresh();
            }
        });
    }

    private void error(String title, String message) {
        background.set("");
        if (window() == null) {
            Platform.runLater(() -> background.set(title + ": " + message));
            return;
        }
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        a.setHeaderText(title);
        a.initOwner(window());
        a.show();
    }

    // ------------------------------------------------------------------------------------------ files

    /**
     * Opens a Galvatron 3.0 search YAML as a new document targeting 3.0: its model, profiles and settings, and the plan
     * its own search chooses (Galvatron 3.0's, exactly).
     */
    public Task<?> openYaml(Path yaml) {
        return background("Opening " + yaml.getFileName() + " and running Galvatron 3.0's search", () -> {
            ClusterSettings s = loader.settingsForYaml(yaml);
            PlanningContext ctx = loader.load(s);
            var settings = ctx.yaml().settings();
            var result = new studio.engine.search.v3.Galvatron3Search(ctx.costModel3(), settings).search(null);
            ParallelPlan plan = PlanningContext.planOf(result, settings);
            if (plan == null) {
                throw new IllegalStateException("Galvatron 3.0's search finds nothing that fits " + settings.memoryConstraintGb() + " GB per GPU in "
                        + result.tasks().size() + " sub-searches of " + yaml.getFileName());
            }
            return new Loaded(ctx, plan, String.format(java.util.Locale.ROOT, "%s: Galvatron 3.0's plan (%s, %.3f samples/s)",
                    yaml.getFileName(), result.best().task(), result.best().throughput()));
        }, l -> {
            editor.open(l.context(), l.plan(), l.description());
            projectFile.set(null);
            markSaved();
            toolbar.refresh();
        });
    }

    private void openAny(Path file) {
        String name = file.getFileName().toString();
        if (studio.engine.inputs.v3.Galvatron3Inputs.isYaml(name)) {
            if (confirmDiscard("open " + name)) openYaml(file);
            return;
        }
        if (name.startsWith("galvatron_config")) {
            importConfig(file);
            return;
        }
        try {
            if (Files.readString(file).contains(ProjectStore.FORMAT)) {
                if (confirmDiscard("open " + file.getFileName())) openProject(file);
                return;
            }
        } catch (IOException e) {
            error("Cannot open " + file, e.getMessage());
            return;
        }
        importConfig(file);
    }

    /** The answers when an imported config was searched for other settings than the project's. */
    public static final ButtonType USE_FILE_SETTINGS = new ButtonType("Use the file's settings", javafx.scene.control.ButtonBar.ButtonData.YES);
    public static final ButtonType KEEP_PROJECT_SETTINGS = new ButtonType("Keep the project's", javafx.scene.control.ButtonBar.ButtonData.NO);

    private static String describe(ClusterSettings s) {
        return s.model() + " on " + s.nodes() + " x " + s.gpusPerNode() + " GPUs, " + s.memoryGb() + " GB, " + s.mixedPrecision();
    }

    /**
     * Imports a Galvatron config under the settings its name says it was searched for (model, nodes, GPUs per node,
     * budget, precision), asking first when they differ from the project's; never re-costed under other settings
     * without saying so. One undoable step.
     */
    public void importConfig(Path file) {
        if (editor.state() == null) return;
        ClusterSettings current = editor.state().context().settings();
        ClusterSettings wanted = loader.settingsFor(file, current);
        ClusterSettings use = current;
        if (!wanted.equals(current)) {
            Alert a = new Alert(Alert.AlertType.CONFIRMATION, file.getFileName() + " was searched for " + describe(wanted)
                    + "; the project is set for " + describe(current) + ". Cost the plan under which settings?",
                    USE_FILE_SETTINGS, KEEP_PROJECT_SETTINGS, ButtonType.CANCEL);
            a.setHeaderText("The config was written for other settings");
            if (window() != null) a.initOwner(window());
            ButtonType answer = a.showAndWait().orElse(ButtonType.CANCEL);
            if (answer == ButtonType.CANCEL) return;
            if (answer == USE_FILE_SETTINGS) use = wanted;
        }
        ClusterSettings settings = use;
        String note = settings.equals(wanted) ? "" : " — costed under the project's settings, not the " + describe(wanted) + " it was written for";
        background("Importing " + file.getFileName(), () -> {
            PlanningContext ctx = settings.equals(current) ? editor.state().context() : loader.load(settings);
            return new Loaded(ctx, loader.importConfig(ctx, file));
        }, l -> {
            if (editor.apply(new EditorState(l.context(), l.plan(), "imported " + file.getFileName() + note))) toolbar.refresh();
            else error("Cannot import " + file.getFileName(), editor.messageProperty().get());
        });
    }

    /** The file written and the reasons to be careful with it (empty when the plan is clean). */
    public record Export(Path file, List<String> warnings) {
    }

    public Export exportTo(Path dir) throws IOException {
        List<String> warnings = new ArrayList<>(RuleViolation.summarize(editor.estimate().violations()));
        if (!editor.estimate().fitsMemory()) {
            warnings.add("over the memory budget: peak " + editor.estimate().peakMemoryMb() + " MB of "
                    + editor.estimate().memory().get(0).budgetMb() + " MB");
        }
        return new Export(ProjectStore.exportConfig(dir, editor.state().context(), editor.plan()), warnings);
    }

    private void exportInteractive() {
        var d = new javafx.stage.DirectoryChooser().showDialog(window());
        if (d == null) return;
        try {
            Export e = exportTo(d.toPath());
            if (!e.warnings().isEmpty()) {
                Alert a = new Alert(Alert.AlertType.WARNING, String.join("\n", e.warnings()), ButtonType.OK);
                a.setHeaderText("Exported " + e.file().getFileName() + ", but Galvatron's runtime may refuse it");
                a.initOwner(window());
                a.show();
            }
            background.set("");
            editorMessage("Exported " + e.file());
        } catch (IOException | RuntimeException ex) {
            error("Export failed", ex.getMessage());
        }
    }

    private void editorMessage(String m) {
        background.set(m);
        javafx.animation.PauseTransition p = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(4));
        p.setOnFinished(e -> background.set(""));
        p.play();
    }

    /** Everything the project holds: the edited plan, the comparison shelf, the search results, hosts and runs. */
    public Project project() {
        List<Project.NamedPlan> plans = new ArrayList<>();
        plans.add(new Project.NamedPlan("plan", editor.plan(), Project.Role.EDITED, null));
        for (var c : compareView.shelf()) plans.add(new Project.NamedPlan(c.name(), c.plan(), Project.Role.COMPARED, null));
        for (var h : searchVm.results()) {
            plans.add(new Project.NamedPlan(h.label(), h.plan(), Project.Role.SEARCH_RESULT, new Project.SearchFigures(h.globalBatch(), h.rank(),
                    h.throughput(), h.iterationS(), h.peakMemoryMb(), h.minTp(), h.maxTp())));
        }
        return new Project(editor.state().context().settings(), plans, notes, List.copyOf(remoteVm.hosts()), List.copyOf(remoteVm.runs()));
    }

    /** Saves the project to {@code file}; true when it was written. */
    public boolean saveProject(Path file) {
        try {
            store.save(file, project());
            store.clearRecovery();
            projectFile.set(file);
            markSaved();
            editorMessage("Saved " + file);
            return true;
        } catch (IOException | RuntimeException e) {
            error("Save failed", e.getMessage());
            return false;
        }
    }

    private void saveAs() {
        askProjectFile().ifPresent(this::saveProject);
    }

    /** Save As starts where the project is (or the home folder), suggests a name and adds the extension. */
    private java.util.Optional<Path> askProjectFile() {
        FileChooser fc = new FileChooser();
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Galvatron Studio project", "*.gsp.json"));
        Path dir = projectFile.get() != null && projectFile.get().toAbsolutePath().getParent() != null
                ? projectFile.get().toAbsolutePath().getParent() : Path.of(System.getProperty("user.home"));
        if (Files.isDirectory(dir)) fc.setInitialDirectory(dir.toFile());
        fc.setInitialFileName(projectFile.get() != null ? projectFile.get().getFileName().toString() : suggestedName() + ".gsp.json");
        var f = fc.showSaveDialog(window());
        return f == null ? java.util.Optional.empty() : java.util.Optional.of(withProjectExtension(f.toPath()));
    }

    /** A project file name ends in .gsp.json; one typed without it gets it. */
    public static Path withProjectExtension(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".json") ? file : file.resolveSibling(name + ".gsp.json");
    }

    public Task<?> openProject(Path file) {
        return open(() -> store.open(file), file, "opened " + file.getFileName());
    }

    /** Re-opens the unsaved project a crash left behind (still unsaved: it belongs to its project file, if it had one). */
    public Task<?> openRecovered(Project p) {
        return open(() -> p, null, "recovered the unsaved project");
    }

    public Task<?> openRecovered(ProjectStore.Recovery r) {
        return open(r::project, r.projectFile(), "recovered the unsaved work" + (r.projectFile() == null ? "" : " on " + r.projectFile().getFileName()), () -> {
            dirty.set(true);
            savedState = null;
            autosave();
            try {
                // this instance's own recovery file now holds the work
                store.discard(r);
            } catch (IOException ex) {
                error("Recovery", "Could not remove " + r.file() + ": " + ex.getMessage());
            }
        });
    }

    private Task<?> open(java.util.concurrent.Callable<Project> read, Path file, String what) {
        return open(read, file, what, () -> { });
    }

    private Task<?> open(java.util.concurrent.Callable<Project> read, Path file, String what, Runnable after) {
        return background("Opening project", () -> {
            Project p = read.call();
            return new Object[] {p, loader.load(p.settings())};
        }, r -> {
            Project p = (Project) r[0];
            PlanningContext ctx = (PlanningContext) r[1];
            editor.open(ctx, p.editedPlan(), what);
            compareView.shelf().setAll(p.plans(Project.Role.COMPARED).stream()
                    .map(c -> new studio.app.compare.NamedPlan(c.name(), c.plan())).toList());
            searchVm.results().setAll(p.plans(Project.Role.SEARCH_RESULT).stream().filter(h -> h.figures() != null)
                    .map(h -> new studio.app.search.SearchHit(h.name(), h.figures().globalBatch(), h.figures().rank(), h.plan(),
                            h.figures().throughput(), h.figures().iterationS(), h.figures().peakMemoryMb(), h.figures().minTp(),
                            h.figures().maxTp())).toList());
            notes = p.notes();
            remoteVm.hosts().setAll(p.hosts());
            remoteVm.runs().setAll(p.runs());
            // runs that were going when the project was saved: follow them again from their last event
            for (var run : p.runs()) if (run.state().equals("running")) remoteVm.follow(run);
            projectFile.set(file);
            markSaved();
            toolbar.refresh();
            after.run();
        });
    }

    private final javafx.animation.PauseTransition autosaveDelay = new javafx.animation.PauseTransition(javafx.util.Duration.millis(500));

    private void autosave() {
        if (editor.state() == null || worker.isShutdown()) return;
        autosaveDelay.setOnFinished(e -> {
            if (worker.isShutdown()) return;
            if (!dirty.get()) {
                worker.submit(() -> {
                    try {
                        store.clearRecovery();
                    } catch (IOException ex) {
                        Platform.runLater(() -> background.set("Could not remove the recovery file: " + ex.getMessage()));
                    }
                });
                return;
            }
            if (worker.isShutdown()) return;
            Project p = project();
            Path file = projectFile.get();
            worker.submit(() -> {
                try {
                    store.writeRecovery(p, file);
                } catch (IOException ex) {
                    Platform.runLater(() -> background.set("Could not write the recovery file: " + ex.getMessage()));
                }
            });
        });
        autosaveDelay.playFromStart();
    }

    /** A clean exit: nothing to recover next time. */
    public void closed() {
        autosaveDelay.stop();
        worker.shutdownNow();
        try {
            // a recovery write in flight finishes first, so nothing is written after the clean exit removed it
            worker.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.clearRecovery();
        } catch (IOException e) {
            // nothing to do on the way out
        }
        remoteVm.detach();
    }
}
