package studio.app;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.concurrent.Task;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import studio.app.project.ContextLoader;
import studio.app.project.EditorState;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.app.project.Project;
import studio.app.project.ProjectStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The open project as a document: its file, whether it has unsaved changes, saving (atomically, through
 * {@link ProjectStore}), opening, the autosaved recovery copy and the ask-before-discarding guard.
 */
public final class ProjectDocument {
    /** What the window puts in a project and takes back out of one (shelf, search results, hosts, runs). */
    public interface Contents {
        Project snapshot();

        /** After the editor holds the project's plan: the rest of the project back into the views. */
        void restore(Project project);
    }

    /** The three answers to "unsaved changes". */
    public static final ButtonType SAVE = new ButtonType("Save", ButtonBar.ButtonData.YES);
    public static final ButtonType DONT_SAVE = new ButtonType("Don't save", ButtonBar.ButtonData.NO);

    private final PlanEditor editor;
    private final ContextLoader loader;
    private final ProjectStore store;
    private final BackgroundWork work;
    private final Supplier<Window> window;
    private final Contents contents;
    private final Runnable openSample;
    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
    private final javafx.animation.PauseTransition autosaveDelay = new javafx.animation.PauseTransition(javafx.util.Duration.millis(500));
    private EditorState savedState;

    ProjectDocument(PlanEditor editor, ContextLoader loader, ProjectStore store, BackgroundWork work, Supplier<Window> window,
                    Contents contents, Runnable openSample) {
        this.editor = editor;
        this.loader = loader;
        this.store = store;
        this.work = work;
        this.window = window;
        this.contents = contents;
        this.openSample = openSample;
        editor.stateProperty().addListener((o, a, b) -> {
            dirty.set(b != null && b != savedState);
            autosave();
        });
    }

    /** True while the project has changes that are not saved. */
    public ReadOnlyBooleanProperty dirtyProperty() { return dirty.getReadOnlyProperty(); }

    /** The open project's file (null until it is saved). */
    public Path file() { return file.get(); }

    /** The window title: the project's name and an unsaved marker. */
    public StringBinding title() {
        return Bindings.createStringBinding(() -> (dirty.get() ? "* " : "")
                + (file.get() == null ? "untitled" : file.get().getFileName().toString()) + " — Galvatron Studio", dirty, file);
    }

    /**
     * Something the project holds besides the plan changed (a host added, a job submitted): unsaved, and autosaved
     * for recovery like an edit.
     */
    public void changed() {
        if (editor.state() == null) return;
        dirty.set(true);
        autosave();
    }

    /** The editor now holds a document that is not a saved project (the sample, a 3.0 YAML): nothing unsaved yet. */
    public void startedUntitled() {
        file.set(null);
        markSaved();
    }

    private void markSaved() {
        savedState = editor.state();
        dirty.set(false);
    }

    /**
     * Before unsaved changes would be lost: asks to save them, throw them away or cancel. True when the caller may go
     * on (saved, or the user chose not to save).
     */
    public boolean confirmDiscard(String action) {
        if (!dirty.get()) return true;
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The project "
                + (file.get() == null ? "(not saved yet)" : file.get().getFileName().toString())
                + " has unsaved changes. Save them before you " + action + "?", SAVE, DONT_SAVE, ButtonType.CANCEL);
        a.setHeaderText("Unsaved changes");
        if (window.get() != null) a.initOwner(window.get());
        ButtonType answer = a.showAndWait().orElse(ButtonType.CANCEL);
        if (answer == DONT_SAVE) return true;
        if (answer != SAVE) return false;
        if (file.get() == null) {
            Optional<Path> f = askFile();
            return f.isPresent() && save(f.get());
        }
        return save(file.get());
    }

    /** Save: to the project's file, or asking for one. */
    public void save() {
        if (file.get() == null) saveAs(); else save(file.get());
    }

    public void saveAs() {
        askFile().ifPresent(this::save);
    }

    /** Saves the project to {@code target}; true when it was written. */
    public boolean save(Path target) {
        try {
            store.save(target, contents.snapshot());
            store.clearRecovery();
            file.set(target);
            markSaved();
            work.message("Saved " + target);
            return true;
        } catch (IOException | RuntimeException e) {
            work.error("Save failed", e.getMessage());
            return false;
        }
    }

    /** Save As starts where the project is (or the home folder), suggests a name and adds the extension. */
    private Optional<Path> askFile() {
        FileChooser fc = new FileChooser();
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Galvatron Studio project", "*.gsp.json"));
        Path current = file.get();
        Path dir = current != null && current.toAbsolutePath().getParent() != null
                ? current.toAbsolutePath().getParent() : Path.of(System.getProperty("user.home"));
        if (Files.isDirectory(dir)) fc.setInitialDirectory(dir.toFile());
        fc.setInitialFileName(current != null ? current.getFileName().toString() : suggestedName() + ".gsp.json");
        var f = fc.showSaveDialog(window.get());
        return f == null ? Optional.empty() : Optional.of(withProjectExtension(f.toPath()));
    }

    /** A file name for the open plan: model and cluster. */
    public String suggestedName() {
        if (editor.state() == null) return "plan";
        var s = editor.state().context().settings();
        return (editor.state().context().model().name() + "-" + s.nodes() + "x" + s.gpusPerNode() + "-" + s.memoryGb() + "GB")
                .replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** A project file name ends in .gsp.json; one typed without it gets it. */
    public static Path withProjectExtension(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".json") ? file : file.resolveSibling(name + ".gsp.json");
    }

    public Task<?> open(Path project) {
        return open(() -> store.open(project), project, "opened " + project.getFileName(), () -> { });
    }

    /** Re-opens the unsaved project a crash left behind (still unsaved: it belongs to its project file, if it had one). */
    public Task<?> openRecovered(Project p) {
        return open(() -> p, null, "recovered the unsaved project", () -> { });
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
                work.error("Recovery", "Could not remove " + r.file() + ": " + ex.getMessage());
            }
        });
    }

    private record Opened(Project project, PlanningContext context) {
    }

    private Task<?> open(Callable<Project> read, Path project, String what, Runnable after) {
        return work.run("Opening project", () -> {
            Project p = read.call();
            return new Opened(p, loader.load(p.settings()));
        }, opened -> {
            editor.open(opened.context(), opened.project().editedPlan(), what);
            contents.restore(opened.project());
            file.set(project);
            markSaved();
            after.run();
        });
    }

    /**
     * At start: offers back the unsaved project a studio that did not close cleanly left (restore, discard or keep it
     * for later), names recovery files that could not be read (kept aside), else opens the sample.
     */
    public void startUp() {
        ProjectStore.RecoveryScan scan = store.scanRecovery();
        if (!scan.setAside().isEmpty()) work.error("Recovery", String.join("\n", scan.setAside()));
        if (scan.found().isEmpty()) {
            openSample.run();
            return;
        }
        ProjectStore.Recovery r = scan.found().get(0);
        ButtonType restore = new ButtonType("Restore", ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType("Discard", ButtonBar.ButtonData.NO);
        ButtonType later = new ButtonType("Keep for later", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Unsaved work on " + (r.projectFile() == null ? "an unsaved project" : r.projectFile())
                + " (" + r.project().settings().model() + ", last change " + r.written() + ") was left by a studio that did not close cleanly"
                + (scan.found().size() > 1 ? "; " + (scan.found().size() - 1) + " more will be offered at the next start" : "") + ". Restore it?",
                restore, discard, later);
        a.setHeaderText("Restore unsaved work?");
        if (window.get() != null) a.initOwner(window.get());
        ButtonType answer = a.showAndWait().orElse(later);
        if (answer == restore) {
            openRecovered(r);
        } else {
            if (answer == discard) {
                try {
                    store.discard(r);
                } catch (IOException e) {
                    work.error("Recovery", "Could not remove " + r.file() + ": " + e.getMessage());
                }
            }
            openSample.run();
        }
    }

    /** Half a second after the last change: unsaved work goes to this instance's recovery file; saved work removes it. */
    private void autosave() {
        if (editor.state() == null || work.isShutdown()) return;
        autosaveDelay.setOnFinished(e -> {
            if (work.isShutdown()) return;
            if (!dirty.get()) {
                work.submit("Could not remove the recovery file", store::clearRecovery);
                return;
            }
            Project p = contents.snapshot();
            Path target = file.get();
            work.submit("Could not write the recovery file", () -> store.writeRecovery(p, target));
        });
        autosaveDelay.playFromStart();
    }

    /** A clean exit: nothing to recover next time. */
    public void closed() {
        autosaveDelay.stop();
        // a recovery write in flight finishes first, so nothing is written after the clean exit removed it
        work.shutdown();
        try {
            store.clearRecovery();
        } catch (IOException e) {
            // nothing to do on the way out
        }
    }
}
