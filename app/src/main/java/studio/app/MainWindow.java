package studio.app;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.concurrent.Task;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.controlsfx.control.StatusBar;
import studio.app.charts.StageCharts;
import studio.app.compare.CompareView;
import studio.app.compare.Comparison;
import studio.app.compare.NamedPlan;
import studio.app.explain.ExplainView;
import studio.app.grid.PlanGridView;
import studio.app.pipeline.PipelineBar;
import studio.app.pipeline.PipelineTimelineView;
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.EditorState;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.app.project.Project;
import studio.app.project.ProjectStore;
import studio.app.remote.RemoteSetup;
import studio.app.remote.RemoteView;
import studio.app.remote.RemoteViewModel;
import studio.app.remote.RunnerClient;
import studio.app.remote.SshSettings;
import studio.app.search.SearchHit;
import studio.app.calibration.CalibrationView;
import studio.app.calibration.CalibrationViewModel;
import studio.app.cluster.ClusterKind;
import studio.app.kubernetes.KubernetesView;
import studio.app.kubernetes.KubernetesViewModel;
import studio.app.slurm.SlurmView;
import studio.app.slurm.SlurmViewModel;
import studio.app.search.SearchView;
import studio.app.search.SearchViewModel;
import studio.app.theme.Themes;
import studio.app.toolbar.PlanToolbar;
import studio.app.whatif.WhatIfView;
import studio.engine.model.ModelCatalog;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.RuleViolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * The editor window: toolbar, pipeline bar, grid, charts, the feature tabs and the status bar, wired to one
 * {@link PlanEditor}. The menus are {@link StudioMenus}, the project file {@link ProjectDocument}, long work
 * {@link BackgroundWork}, keys and drops {@link WindowInput}; this class composes them and loads plans.
 */
public final class MainWindow {
    private final PlanEditor editor;
    private final ContextLoader loader;
    private final BorderPane root = new BorderPane();
    private final StatusBar status = new StatusBar();
    private final BackgroundWork work = new BackgroundWork(status, this::window);
    private final ProjectDocument document;
    private final PlanToolbar toolbar;
    private final PipelineBar pipeline;
    private final PlanGridView grid;
    private final StageCharts charts;
    private final SearchViewModel searchVm;
    private final SearchView searchView;
    private final CompareView compareView;
    private final WhatIfView whatIfView;
    private final ExplainView explainView;
    private final PipelineTimelineView timelineView;
    private final TabPane tabs = new TabPane();
    private final RemoteViewModel remoteVm;
    private final RemoteView remoteView;
    private final SlurmViewModel slurmVm;
    /** The cluster is reached through a Slurm login node (else node by node over SSH). */
    /** Nodes over SSH, Slurm or Kubernetes: the cluster tab shows the chosen kind's section. */
    private final javafx.beans.property.ObjectProperty<ClusterKind> clusterKind = new javafx.beans.property.SimpleObjectProperty<>(ClusterKind.SSH_NODES);
    private final KubernetesViewModel kubernetesVm;
    private final CalibrationViewModel calibrationVm;
    private String notes = "";

    public MainWindow(PlanEditor editor, ContextLoader loader, ProjectStore store) {
        this(editor, loader, store, RemoteSetup.defaults());
    }

    public MainWindow(PlanEditor editor, ContextLoader loader, ProjectStore store, RemoteSetup remote) {
        this.editor = editor;
        this.loader = loader;
        toolbar = new PlanToolbar(editor, new ModelCatalog(loader.sampleRoot()).presetNames(), this::reload, this::searchAgain);
        pipeline = new PipelineBar(editor);
        grid = new PlanGridView(editor);
        charts = new StageCharts(editor);
        searchVm = new SearchViewModel(work.executor());
        searchView = new SearchView(searchVm, () -> runSearch(false), () -> runSearch(true), this::openHit,
                h -> addToComparison(h.label(), h.plan()));
        compareView = new CompareView(editor, () -> Comparison.uniformBaseline(editor.state().context(), editor.plan().globalBatch()));
        whatIfView = new WhatIfView(editor, loader, work.executor());
        explainView = new ExplainView(editor);
        timelineView = new PipelineTimelineView(editor);
        var remoteWork = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "studio-remote");
            t.setDaemon(true);
            return t;
        });
        remoteVm = new RemoteViewModel(editor, loader, new RunnerClient(remote.runnerJar(), remote.remoteBase()),
                remote.knownHosts(), remote.policy(), remoteWork);
        timelineView.showLastRun(remoteVm.lastMeasuredIterationS(), remoteVm.lastPredictedIterationS());
        remoteView = new RemoteView(remoteVm);
        slurmVm = new SlurmViewModel(editor, loader, remoteVm, SshSettings.of(remote.knownHosts(), remote.policy()), remote.runnerJar(), remoteWork);
        kubernetesVm = new KubernetesViewModel(editor, remoteVm::galvatron3ModelSize);
        // each cluster's correction factors live beside its measured profiles
        calibrationVm = new CalibrationViewModel(editor, remoteVm.runs(), loader.measuredRoot().resolve("calibration"));
        javafx.scene.control.Label calibrated = new javafx.scene.control.Label();
        calibrated.setId("calibratedLabel");
        calibrated.textProperty().bind(calibrationVm.headline());
        calibrated.managedProperty().bind(calibrated.textProperty().isNotEmpty());
        toolbar.addHeadline(calibrated);
        searchView.addColumn(studio.app.theme.Tables.column("Calibrated iteration (s)", h -> {
            if (editor.state() == null) return "";
            double s = calibrationVm.calibratedIterationS(editor.state().context().evaluator().evaluate(h.plan()));
            return Double.isNaN(s) ? "" : String.format(Locale.ROOT, "%.4f", s);
        }, calibrationVm.factorsProperty(), calibrationVm.applied));
        document = new ProjectDocument(editor, loader, store, work, this::window, new ProjectDocument.Contents() {
            @Override
            public Project snapshot() {
                return project();
            }

            @Override
            public void restore(Project p) {
                restoreProject(p);
            }
        }, this::openSample);
        // hosts and submitted jobs are the project's too: adding or removing one is an unsaved change (a job's state is not)
        javafx.collections.ListChangeListener<Object> projectList = change -> {
            while (change.next()) {
                if (!change.wasReplaced() && (change.wasAdded() || change.wasRemoved())) document.changed();
            }
        };
        remoteVm.hosts().addListener(projectList);
        slurmVm.jobs().addListener(projectList);
        // the cluster's kind, the Kubernetes settings and the manifest the user edits are the project's
        clusterKind.addListener((o, a, b) -> document.changed());
        for (javafx.beans.Observable edit : kubernetesVm.edits()) edit.addListener(o -> document.changed());
        grid.table().getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> explainView.show(b.intValue()));
        editor.estimateProperty().addListener((o, a, b) -> {
            int selected = grid.table().getSelectionModel().getSelectedIndex();
            if (selected >= 0) explainView.show(selected);
        });
        VBox left = new VBox(pipeline.root(), grid.root());
        VBox.setVgrow(grid.root(), Priority.ALWAYS);
        SplitPane center = new SplitPane(left, charts.root());
        center.setDividerPositions(0.55);
        tabs.getTabs().addAll(tab("Editor", "editorTab", center), tab("Search", "searchTab", searchView.root()),
                tab("Compare", "compareTab", compareView.root()), tab("What-if", "whatIfTab", whatIfView.root()),
                tab("Explain layer", "explainTab", explainView.root()), tab("Pipeline timeline", "timelineTab", timelineView.root()),
                tab("Cluster and training", "remoteTab", clusterTab()));
        root.setTop(new VBox(new StudioMenus(this, document, editor, searchVm, store, loader.sampleRoot()).build(), toolbar.root()));
        root.setCenter(tabs);
        status.setId("statusBar");
        ReadOnlyStringProperty background = work.statusProperty();
        status.textProperty().bind(Bindings.createStringBinding(() -> searchVm.runningProperty().get() ? searchVm.statusProperty().get()
                : background.get().isEmpty() ? editor.messageProperty().get() : background.get(), background, editor.messageProperty(),
                searchVm.runningProperty(), searchVm.statusProperty()));
        root.setBottom(status);
        // the studio's own style rules (broken rows, differing cells, handles) have dark variants under this class
        Runnable darkClass = () -> {
            if (Themes.isDark()) {
                if (!root.getStyleClass().contains("dark")) root.getStyleClass().add("dark");
            } else {
                root.getStyleClass().remove("dark");
            }
        };
        darkClass.run();
        Themes.darkProperty().addListener((o, a, b) -> darkClass.run());
    }

    /** Nodes over SSH, Slurm through a login node, or Kubernetes: the chosen kind's section shows above the hosts and runs. */
    private Node clusterTab() {
        javafx.scene.control.ToggleGroup group = new javafx.scene.control.ToggleGroup();
        javafx.scene.layout.HBox choice = new javafx.scene.layout.HBox(12, new javafx.scene.control.Label("Cluster:"));
        Map<ClusterKind, javafx.scene.control.RadioButton> buttons = new java.util.EnumMap<>(ClusterKind.class);
        for (ClusterKind k : ClusterKind.values()) {
            javafx.scene.control.RadioButton b = new javafx.scene.control.RadioButton(k.label());
            b.setId(switch (k) {
                case SSH_NODES -> "clusterSsh";
                case SLURM -> "clusterSlurm";
                case KUBERNETES -> "clusterKubernetes";
            });
            b.setToggleGroup(group);
            b.setUserData(k);
            buttons.put(k, b);
            choice.getChildren().add(b);
        }
        buttons.get(clusterKind.get()).setSelected(true);
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (b != null) clusterKind.set((ClusterKind) b.getUserData());
        });
        clusterKind.addListener((o, a, b) -> buttons.get(b).setSelected(true));
        Node slurmPane = new SlurmView(slurmVm).root();
        slurmPane.visibleProperty().bind(clusterKind.isEqualTo(ClusterKind.SLURM));
        slurmPane.managedProperty().bind(slurmPane.visibleProperty());
        Node kubernetesPane = new KubernetesView(kubernetesVm).root();
        kubernetesPane.visibleProperty().bind(clusterKind.isEqualTo(ClusterKind.KUBERNETES));
        kubernetesPane.managedProperty().bind(kubernetesPane.visibleProperty());
        choice.setPadding(new javafx.geometry.Insets(6, 6, 0, 6));
        VBox content = new VBox(choice, slurmPane, kubernetesPane, remoteView.root(), new CalibrationView(calibrationVm).root());
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(content);
        scroll.setFitToWidth(true);
        return scroll;
    }

    public SlurmViewModel slurmModel() { return slurmVm; }

    public KubernetesViewModel kubernetesModel() { return kubernetesVm; }

    public CalibrationViewModel calibrationModel() { return calibrationVm; }

    /** How the project's cluster is reached. */
    public javafx.beans.property.ObjectProperty<ClusterKind> clusterKindProperty() { return clusterKind; }

    private static Tab tab(String title, String id, Node content) {
        Tab t = new Tab(title, content);
        t.setId(id);
        t.setClosable(false);
        return t;
    }

    /** The window's scene: the studio's style sheet, drag-and-drop of configs and projects, and the shortcuts. */
    public Scene newScene() {
        Scene scene = new Scene(root(), 1400, 860);
        scene.getStylesheets().add(StudioApp.class.getResource("studio.css").toExternalForm());
        WindowInput.install(scene, editor, this::openAny);
        return scene;
    }

    /** Installs the window's title and its close guard on {@code stage}: closing with unsaved changes asks first. */
    public void attach(Stage stage) {
        stage.titleProperty().bind(titleBinding());
        stage.setOnCloseRequest(e -> {
            if (!confirmDiscard("close the window")) e.consume();
        });
    }

    Window window() { return root.getScene() == null ? null : root.getScene().getWindow(); }

    // ------------------------------------------------------------------------------------------ parts

    public BorderPane root() { return root; }

    public PlanEditor editor() { return editor; }

    public TabPane tabs() { return tabs; }

    public SearchViewModel searchModel() { return searchVm; }

    public SearchView searchView() { return searchView; }

    public CompareView compareView() { return compareView; }

    public WhatIfView whatIfView() { return whatIfView; }

    public ExplainView explainView() { return explainView; }

    public PipelineTimelineView timelineView() { return timelineView; }

    public RemoteViewModel remoteModel() { return remoteVm; }

    public PlanGridView grid() { return grid; }

    public StageCharts charts() { return charts; }

    public BackgroundWork work() { return work; }

    public ProjectDocument document() { return document; }

    public ReadOnlyStringProperty backgroundProperty() { return work.statusProperty(); }

    /** Runs {@code work} off the FX thread with its name in the status bar; {@code done} runs on the FX thread. */
    public <T> Task<T> background(String what, java.util.concurrent.Callable<T> job, java.util.function.Consumer<T> done) {
        return work.run(what, job, done);
    }

    // ------------------------------------------------------------------------------------------ the project (ProjectDocument)

    /** True while the project has changes that are not saved. */
    public ReadOnlyBooleanProperty dirtyProperty() { return document.dirtyProperty(); }

    /** The window title: the project's name and an unsaved marker. */
    public StringBinding titleBinding() { return document.title(); }

    /** The open project's file (null until it is saved). */
    public Path projectFile() { return document.file(); }

    /** The three answers to "unsaved changes". */
    public static final ButtonType SAVE = ProjectDocument.SAVE;
    public static final ButtonType DONT_SAVE = ProjectDocument.DONT_SAVE;

    public boolean confirmDiscard(String action) { return document.confirmDiscard(action); }

    public void startUp() { document.startUp(); }

    public boolean saveProject(Path file) { return document.save(file); }

    public Task<?> openProject(Path file) { return document.open(file); }

    public Task<?> openRecovered(Project p) { return document.openRecovered(p); }

    public Task<?> openRecovered(ProjectStore.Recovery r) { return document.openRecovered(r); }

    public String suggestedName() { return document.suggestedName(); }

    public static Path withProjectExtension(Path file) { return ProjectDocument.withProjectExtension(file); }

    /** A clean exit: nothing to recover next time. */
    public void closed() {
        document.closed();
        slurmVm.stopTracking();
        remoteVm.detach();
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
        return new Project(editor.state().context().settings(), plans, notes, List.copyOf(remoteVm.hosts()), List.copyOf(remoteVm.runs()),
                clusterKind.get() == ClusterKind.SLURM ? slurmVm.settingsOrNull() : null, List.copyOf(slurmVm.jobs()), slurmVm.script.get(),
                new Project.Kubernetes(clusterKind.get(), kubernetesVm.settingsOrNull(), kubernetesVm.manifest.get()));
    }

    /** The rest of an opened project back into the views, once the editor holds its plan. */
    private void restoreProject(Project p) {
        compareView.shelf().setAll(p.plans(Project.Role.COMPARED).stream().map(c -> new NamedPlan(c.name(), c.plan())).toList());
        searchVm.results().setAll(p.plans(Project.Role.SEARCH_RESULT).stream().filter(h -> h.figures() != null)
                .map(h -> new SearchHit(h.name(), h.figures().globalBatch(), h.figures().rank(), h.plan(),
                        h.figures().throughput(), h.figures().iterationS(), h.figures().peakMemoryMb(), h.figures().minTp(),
                        h.figures().maxTp())).toList());
        notes = p.notes();
        remoteVm.hosts().setAll(p.hosts());
        remoteVm.runs().setAll(p.runs());
        // runs that were going when the project was saved: follow them again from their last event
        for (var run : p.runs()) if (run.state().equals("running") && !SlurmViewModel.isJobRun(run)) remoteVm.follow(run);
        clusterKind.set(p.clusterKind());
        kubernetesVm.show(p.kubernetes().settings());
        kubernetesVm.manifest.set(p.kubernetes().manifest());
        // Slurm jobs that had not ended: followed again on the login node
        slurmVm.restore(p.jobs(), p.slurm());
        slurmVm.script.set(p.slurmScript());
    }

    // ------------------------------------------------------------------------------------------ search and compare

    /** Runs the search panel's search; pinned: the grid's selected layers keep their current strategies. */
    public void runSearch(boolean pinned) {
        if (editor.state() == null) return;
        Map<Integer, LayerStrategy> pins = new TreeMap<>();
        if (pinned) {
            for (int i : grid.table().getSelectionModel().getSelectedIndices()) pins.put(i, editor.plan().layers().get(i));
            if (pins.isEmpty()) {
                work.message("Select the layers to pin in the editor's grid first");
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
            work.message(r ? "Re-searched with " + pinnedCount + " layers pinned at batch " + editor.plan().globalBatch()
                    + ": the result is the first row of the Search tab (Open puts it in the editor)"
                    : "Re-searched with " + pinnedCount + " layers pinned: nothing fits");
        });
    }

    public void openHit(SearchHit h) {
        editor.replacePlan(h.plan(), "search result: " + h.label());
        tabs.getSelectionModel().select(0);
    }

    public void addToComparison(String name, ParallelPlan p) {
        compareView.add(new NamedPlan(name, p));
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
        return String.format(Locale.ROOT, "%s · %d x %d %s · %d GB · %s · pp %d, global batch %d · %.3f samples/s%s",
                editor.state().context().model().name(), s.nodes(), s.gpusPerNode(), s.gpu(), s.memoryGb(), s.mixedPrecision(), editor.plan().pp(),
                editor.plan().globalBatch(), editor.estimate().throughput(), editor.state().context().isEstimated() ? " · ESTIMATED profiles" : "");
    }

    // ------------------------------------------------------------------------------------------ plans in and out

    private record Loaded(PlanningContext context, ParallelPlan plan, String description) {
        Loaded(PlanningContext context, ParallelPlan plan) {
            this(context, plan, "");
        }
    }

    /** Opens the shipped sample with a searched plan (what a newcomer sees first). */
    public Task<?> openSample() {
        return work.run("Loading the llama-7b sample and searching a plan", () -> {
            PlanningContext ctx = loader.load(ClusterSettings.sample());
            return new Loaded(ctx, loader.searchedPlan(ctx, 64));
        }, l -> {
            editor.open(l.context(), l.plan(), "llama-7b on 1 x 8 A100 (36 GB): the studio's searched plan");
            document.startedUntitled();
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
        return work.run("Loading profiles for " + where, () -> {
            PlanningContext ctx = loader.load(s);
            ContextLoader.Carried carried = current == null ? new ContextLoader.Carried(null, null) : ContextLoader.carryOver(current, ctx);
            if (carried.plan() != null) return new Loaded(ctx, carried.plan(), "kept the plan, re-costed for " + where);
            return new Loaded(ctx, loader.searchedPlan(ctx, batch), "searched a plan for " + where
                    + (carried.whyNot() == null ? "" : " (the plan could not be kept: " + carried.whyNot() + ")"));
        }, l -> {
            if (editor.state() == null) editor.open(l.context(), l.plan(), l.description());
            else editor.apply(new EditorState(l.context(), l.plan(), l.description()));
        });
    }

    /** A fresh search for the open cluster, replacing the plan as one undoable step. */
    public Task<?> searchAgain() {
        if (editor.state() == null) return null;
        PlanningContext ctx = editor.state().context();
        int batch = editor.plan().globalBatch();
        return work.run("Searching a plan for " + ctx.model().name(), () -> loader.searchedPlan(ctx, batch), p -> {
            if (editor.state() != null && editor.state().context() == ctx) {
                editor.apply(new EditorState(ctx, p, "searched again for " + ctx.model().name() + " (undo goes back to the plan before)"));
            }
        });
    }

    /**
     * Opens a Galvatron 3.0 search YAML as a new document targeting 3.0: its model, profiles and settings, and the plan
     * its own search chooses (Galvatron 3.0's, exactly).
     */
    public Task<?> openYaml(Path yaml) {
        return work.run("Opening " + yaml.getFileName() + " and running Galvatron 3.0's search", () -> {
            ClusterSettings s = loader.settingsForYaml(yaml);
            PlanningContext ctx = loader.load(s);
            var settings = ctx.yaml().settings();
            var result = new studio.engine.search.v3.Galvatron3Search(ctx.costModel3(), settings).search(null);
            ParallelPlan plan = PlanningContext.planOf(result, settings);
            if (plan == null) {
                throw new IllegalStateException("Galvatron 3.0's search finds nothing that fits " + settings.memoryConstraintGb() + " GB per GPU in "
                        + result.tasks().size() + " sub-searches of " + yaml.getFileName());
            }
            return new Loaded(ctx, plan, String.format(Locale.ROOT, "%s: Galvatron 3.0's plan (%s, %.3f samples/s)",
                    yaml.getFileName(), result.best().task(), result.best().throughput()));
        }, l -> {
            editor.open(l.context(), l.plan(), l.description());
            document.startedUntitled();
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
            work.error("Cannot open " + file, e.getMessage());
            return;
        }
        importConfig(file);
    }

    /** The answers when an imported config was searched for other settings than the project's. */
    public static final ButtonType USE_FILE_SETTINGS = new ButtonType("Use the file's settings", ButtonBar.ButtonData.YES);
    public static final ButtonType KEEP_PROJECT_SETTINGS = new ButtonType("Keep the project's", ButtonBar.ButtonData.NO);

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
        work.run("Importing " + file.getFileName(), () -> {
            PlanningContext ctx = settings.equals(current) ? editor.state().context() : loader.load(settings);
            return new Loaded(ctx, loader.importConfig(ctx, file));
        }, l -> {
            if (!editor.apply(new EditorState(l.context(), l.plan(), "imported " + file.getFileName() + note))) {
                work.error("Cannot import " + file.getFileName(), editor.messageProperty().get());
            }
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

    /** Export with a folder chooser; a plan the runtime may refuse is exported with its warnings shown. */
    void exportInteractive() {
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
            work.clear();
            work.message("Exported " + e.file());
        } catch (IOException | RuntimeException ex) {
            work.error("Export failed", ex.getMessage());
        }
    }

}
