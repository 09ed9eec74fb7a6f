package studio.app.remote;

import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import studio.app.cluster.ClusterHost;
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.EditorState;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The profile buttons: hardware and model profiles measured on the cluster, their files brought home, the plan
 * re-costed on them, cancel and resume, progress and the sanity checks' findings.
 */
public final class ProfilingViewModel {
    private final PlanEditor editor;
    private final ContextLoader loader;
    private final ClusterProfiler profiler;
    private final ObservableList<ClusterHost> hosts;
    private final RemoteWork work;
    private final ObjectProperty<ClusterProfiler.Options> options = new SimpleObjectProperty<>(ClusterProfiler.Options.galvatronDefaults());
    private final ReadOnlyBooleanWrapper profiling = new ReadOnlyBooleanWrapper();
    /** Fraction of the running profile done; -1 while its size is not known yet. */
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ObservableList<String> findings = FXCollections.observableArrayList();
    private volatile boolean cancelled;

    ProfilingViewModel(PlanEditor editor, ContextLoader loader, ClusterProfiler profiler, ObservableList<ClusterHost> hosts, RemoteWork work) {
        this.editor = editor;
        this.loader = loader;
        this.profiler = profiler;
        this.hosts = hosts;
        this.work = work;
    }

    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }

    /** How much the profile buttons measure (Galvatron's defaults unless changed). */
    public ObjectProperty<ClusterProfiler.Options> optionsProperty() { return options; }

    /** What the last profile's sanity checks flagged (empty when all looked right). */
    public ObservableList<String> findings() { return findings; }

    /** True while a profile runs on the cluster (what the cancel button needs). */
    public ReadOnlyBooleanProperty profilingProperty() { return profiling.getReadOnlyProperty(); }

    /** Work on the cluster needs an open plan and its hosts; says so when they are missing. */
    private boolean planAndHosts() {
        if (editor.state() != null && !hosts.isEmpty()) return true;
        work.say("Add the cluster's hosts first");
        return false;
    }

    /** Stops the running profile on every host; running it again resumes where it stopped. */
    public void cancel() {
        if (!profiling.get()) return;
        cancelled = true;
        List<ClusterHost> targets = List.copyOf(hosts);
        work.say("Cancelling the profile…");
        work.background(() -> {
            try {
                profiler.cancel(targets);
            } catch (IOException e) {
                work.sayLater("Could not cancel the profile: " + e.getMessage());
            }
        });
    }

    /** Runs a profile as cluster work, telling a cancellation apart from a failure. */
    private void profile(String what, RemoteWork.Job job) {
        cancelled = false;
        findings.clear();
        profiling.set(true);
        progress.set(-1);
        work.run(what, () -> {
            try {
                job.run();
            } catch (Exception e) {
                if (!cancelled) throw e;
                work.sayLater("Profile cancelled; what it measured is kept on the node, and running it again resumes");
            } finally {
                Platform.runLater(() -> profiling.set(false));
            }
        });
    }

    /**
     * Measures the cluster's hardware (every listed host is a node), brings Galvatron's hardware files home and
     * re-evaluates the plan on them.
     */
    public void profileHardware(ClusterProfiler.Options with) {
        if (!planAndHosts()) return;
        List<ClusterHost> targets = List.copyOf(hosts);
        ClusterSettings s = editor.state().context().settings();
        profile("Profiling the hardware of " + targets.size() + " x " + s.gpusPerNode() + " GPUs", () -> {
            ClusterProfiler.Result r = profiler.profileHardware(targets, s, with, loader.measuredHardwareDir(), this::progress);
            reEvaluate(s, "hardware profile measured on " + targets.get(0).host() + ": " + r.files().size() + " files", r.findings());
        });
    }

    /** Measures the model's layer on the first host (DJL), brings the two model profiles home and re-evaluates. */
    public void profileModel(ClusterProfiler.Options with) {
        if (!planAndHosts()) return;
        ClusterHost host = hosts.get(0);
        PlanningContext ctx = editor.state().context();
        ClusterSettings s = ctx.settings();
        ModelDescription model = ctx.model();
        Path modelFile = new ModelCatalog(loader.sampleRoot()).file(s.model());
        profile("Profiling " + model.name() + " on " + host.host(), () -> {
            ClusterProfiler.Result r = profiler.profileModel(host, model, modelFile, s, with, loader.measuredRoot(), this::progress);
            reEvaluate(s, "model profile measured on " + host.host() + ": " + r.files().size() + " files", r.findings());
        });
    }

    private void progress(double fraction) {
        Platform.runLater(() -> progress.set(fraction));
    }

    /**
     * Profiles measured elsewhere (a Slurm job) are home: the plan is re-costed on them as after the buttons' own.
     * Call off the FX thread (the profiles are read).
     */
    public void measured(ClusterSettings s, String what, List<String> flagged) {
        reEvaluate(s, what, flagged);
    }

    /** Loads the context again (now on the measured files) and re-costs the current plan; undo goes back. */
    private void reEvaluate(ClusterSettings s, String what, List<String> flagged) {
        loader.forget(); // the files just measured replace what was loaded before
        PlanningContext ctx = loader.load(s);
        Platform.runLater(() -> {
            progress.set(1);
            findings.setAll(flagged);
            EditorState current = editor.state();
            if (current != null && current.context().settings().equals(s)) {
                editor.apply(new EditorState(ctx, current.plan(), "re-evaluated on " + ctx.sourceLabel()));
            }
            work.say(what + "; the plan now uses " + ctx.sourceLabel()
                    + (flagged.isEmpty() ? "" : "; " + flagged.size() + " results flagged by the sanity checks (listed below)"));
        });
    }
}
