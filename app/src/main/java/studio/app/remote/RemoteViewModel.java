package studio.app.remote;

import com.fasterxml.jackson.databind.JsonNode;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import studio.app.cluster.RunPrediction;
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.TargetRuntime;
import studio.engine.protocol.RunnerEvent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;

/**
 * The cluster and its training runs: hosts, checking them against the plan, launching every node with its rank,
 * following the runs' events into the live series ({@link RunSeries}), stopping, re-attaching; the profile buttons are
 * {@link ProfilingViewModel}. SSH work runs on the executor ({@link RemoteWork}), never the FX thread; state changes
 * happen on the FX thread.
 */
public final class RemoteViewModel {
    /** One row of the cluster check. */
    public record HostCheck(ClusterHost host, int gpus, String gpuNames, String torch, String galvatron, String problem) {
    }

    private final ObservableList<ClusterHost> hosts = FXCollections.observableArrayList();
    private final ObservableList<HostCheck> checks = FXCollections.observableArrayList();
    private final ObservableList<RemoteRun> runs = FXCollections.observableArrayList();
    private final RunSeries series = new RunSeries();
    private final ReadOnlyDoubleWrapper lastMeasured = new ReadOnlyDoubleWrapper();
    private final ReadOnlyDoubleWrapper lastPredicted = new ReadOnlyDoubleWrapper();
    private int launchedNodes = 1;
    private final PlanEditor editor;
    private final RunnerClient client;
    private final SshSettings ssh;
    private final RemoteWork work;
    private final ProfilingViewModel profiling;
    private final List<SshConnection> following = new ArrayList<>();

    public RemoteViewModel(PlanEditor editor, ContextLoader loader, RunnerClient client, Path knownHosts, HostKeyPolicy policy, Executor executor) {
        this(editor, loader, client, SshSettings.of(knownHosts, policy), executor);
    }

    public RemoteViewModel(PlanEditor editor, ContextLoader loader, RunnerClient client, SshSettings ssh, Executor executor) {
        this.editor = editor;
        this.client = client;
        this.ssh = ssh;
        this.work = new RemoteWork(executor);
        this.profiling = new ProfilingViewModel(editor, loader, new ClusterProfiler(client, ssh, executor), hosts, work);
    }

    /** Work on the cluster needs an open plan and its hosts; says so when they are missing. */
    private boolean planAndHosts() {
        if (editor.state() != null && !hosts.isEmpty()) return true;
        work.say("Add the cluster's hosts first");
        return false;
    }

    // ------------------------------------------------------------------------------------------ profiling

    public ProfilingViewModel profiling() { return profiling; }

    public ReadOnlyDoubleProperty profileProgressProperty() { return profiling.progressProperty(); }

    /** How much the profile buttons measure (Galvatron's defaults unless changed). */
    public ObjectProperty<ClusterProfiler.Options> profileOptionsProperty() { return profiling.optionsProperty(); }

    /** What the last profile's sanity checks flagged (empty when all looked right). */
    public ObservableList<String> profileFindings() { return profiling.findings(); }

    /** True while a profile runs on the cluster (what the cancel button needs). */
    public ReadOnlyBooleanProperty profilingProperty() { return profiling.profilingProperty(); }

    public void cancelProfile() { profiling.cancel(); }

    public void profileHardware() { profiling.profileHardware(profiling.optionsProperty().get()); }

    public void profileModel() { profiling.profileModel(profiling.optionsProperty().get()); }

    public void profileHardware(ClusterProfiler.Options options) { profiling.profileHardware(options); }

    public void profileModel(ClusterProfiler.Options options) { profiling.profileModel(options); }

    // ------------------------------------------------------------------------------------------ hosts, runs, charts

    public ObservableList<ClusterHost> hosts() { return hosts; }

    /** The model name of a project that targets Galvatron 3.0 (its YAML's model_size), else null. */
    public String galvatron3ModelSize() {
        if (editor.state() == null || editor.state().context().target() != TargetRuntime.GALVATRON_V3) return null;
        var yaml = editor.state().context().yaml();
        return yaml != null ? yaml.settings().modelName() : editor.state().context().model().name();
    }

    /** The plan's cluster settings (null before a plan is open). */
    public ClusterSettings editorSettings() {
        return editor.state() == null ? null : editor.state().context().settings();
    }

    public ObservableList<HostCheck> checks() { return checks; }

    public ObservableList<RemoteRun> runs() { return runs; }

    public RunSeries series() { return series; }

    public XYSeries loss() { return series.loss(); }

    public XYSeries iterationTime() { return series.iterationTime(); }

    public XYSeries predicted() { return series.predicted(); }

    public DefaultCategoryDataset memory() { return series.memory(); }

    /** The latest run's measured iteration (median after warm-up, s; 0 before any) on its first node. */
    public ReadOnlyDoubleProperty lastMeasuredIterationS() { return lastMeasured.getReadOnlyProperty(); }

    /** What the plan predicted for it (s; 0 when the run is not the plan's, as the smoke trainer's). */
    public ReadOnlyDoubleProperty lastPredictedIterationS() { return lastPredicted.getReadOnlyProperty(); }

    public ReadOnlyStringProperty statusProperty() { return work.statusProperty(); }

    public ReadOnlyBooleanProperty busyProperty() { return work.busyProperty(); }

    /** Runs {@code env} on every host and compares the GPUs found with the plan's cluster. */
    public void checkCluster() {
        List<ClusterHost> hs = List.copyOf(hosts);
        int wantGpus = editor.state() == null ? 0 : editor.state().context().settings().gpusPerNode();
        int wantNodes = editor.state() == null ? 0 : editor.state().context().settings().nodes();
        work.run("Checking " + hs.size() + " hosts", () -> {
            List<HostCheck> out = new ArrayList<>();
            for (ClusterHost h : hs) {
                try (SshConnection c = SshConnection.open(h, ssh)) {
                    client.ensureRunner(c);
                    int gpus = 0;
                    String names = "";
                    String torch = "";
                    String galvatron = "";
                    for (JsonNode e : client.env(c)) {
                        switch (RunnerEvent.of(e)) {
                            case GPUS -> {
                                gpus = e.path("count").asInt(0);
                                List<String> n = new ArrayList<>();
                                e.path("devices").forEach(d -> n.add(d.path("name").asText()));
                                names = String.join(", ", n.stream().distinct().toList());
                            }
                            case TORCH -> torch = e.path("version").asText();
                            case GALVATRON -> galvatron = e.path("version").asText();
                            default -> { }
                        }
                    }
                    String problem = gpus == wantGpus ? "" : "the plan needs " + wantGpus + " GPUs per node, found " + gpus;
                    out.add(new HostCheck(h, gpus, names.isEmpty() ? "none" : names, torch, galvatron, problem));
                } catch (IOException e) {
                    out.add(new HostCheck(h, 0, "", "", "", e.getMessage()));
                }
            }
            String nodes = hs.size() == wantNodes ? "" : " (the plan needs " + wantNodes + " nodes, " + hs.size() + " listed)";
            Platform.runLater(() -> {
                checks.setAll(out);
                work.say("Checked " + out.size() + " hosts" + nodes);
            });
        });
    }

    /** What the launch rows train. */
    public TrainingOptionsForm training() { return training; }

    private final TrainingOptionsForm training = new TrainingOptionsForm();

    /** Launches what the launch rows say; a field that cannot be used is the status line. */
    public void launchFromForm() {
        try {
            launch(training.request(editor, galvatron3ModelSize()));
        } catch (IllegalArgumentException e) {
            work.say(e.getMessage());
        }
    }

    /** Writes the plan's config, starts every node (the first is the master) and follows them. */
    public void launch(TrainRequest request) {
        if (!planAndHosts()) return;
        List<ClusterHost> hs = List.copyOf(hosts);
        PlanEstimate estimate = editor.estimate();
        // the plan goes as its JSON config, unless the request gives it as Galvatron's global flags
        String json = request.planConfig(editor.plan(), editor.state().context().settings().worldSize());
        boolean withConfig = request.engine().equals("galvatron") && json != null;
        launchedNodes = hs.size();
        // the smoke trainer is not the plan: no predicted memory for it
        series.reset(withConfig ? estimate.memory().stream().map(m -> m.totalMb()).toList() : List.of());
        // what calibration compares the run with once it is measured: the plan's terms on this cluster
        var cluster = editor.state().context().settings();
        RunPrediction predicted = request.engine().equals("galvatron") && estimate != null
                ? RunPrediction.of(cluster.gpu(), cluster.nodes(), cluster.gpusPerNode(), estimate) : null;
        work.run("Launching on " + hs.size() + " nodes", () -> {
            Path cfg = null;
            if (withConfig) {
                cfg = Files.createTempDirectory("gstudio-launch").resolve("galvatron_config.json");
                Files.writeString(cfg, json);
            }
            // each node's run is recorded (and shown) the moment it starts, so a failure further on never hides it
            List<RemoteRun> started = new ArrayList<>();
            for (int rank = 0; rank < hs.size(); rank++) {
                ClusterHost h = hs.get(rank);
                try (SshConnection c = SshConnection.open(h, ssh)) {
                    client.ensureRunner(c);
                    String id = client.launch(c, request, rank, hs.size(), hs.get(0).host(), cfg);
                    // the smoke trainer is not the plan: nothing to predict for it
                    double predictedS = request.engine().equals("galvatron") ? estimate.iterationS() : 0;
                    RemoteRun run = new RemoteRun(h.host(), h.port(), h.user(), h.keyText(), rank, id, 0, 0, predictedS, 0, "running",
                            predicted);
                    started.add(run);
                    Platform.runLater(() -> runs.add(run));
                } catch (IOException | RuntimeException e) {
                    String failed = "node " + rank + " (" + h + ") failed to start: " + e.getMessage();
                    if (started.isEmpty()) throw new IOException(failed, e);
                    // the started nodes would wait at the rendezvous holding their GPUs: stop them
                    List<String> notStopped = new ArrayList<>();
                    for (RemoteRun r : started) {
                        try (SshConnection c = SshConnection.open(r.clusterHost(), ssh)) {
                            client.stop(c, r.runId());
                            Platform.runLater(() -> replaceRun(r.runId(), r.withState("stopped")));
                        } catch (IOException | RuntimeException stopFailed) {
                            notStopped.add(r.host() + " " + r.runId() + " (" + stopFailed.getMessage() + ")");
                        }
                    }
                    throw new IOException(failed + "; " + (notStopped.isEmpty()
                            ? "stopped the " + started.size() + " node(s) already started"
                            : "could not stop " + String.join(", ", notStopped) + ": stop them from the run list"), e);
                }
            }
            work.sayLater("Started " + started.size() + " nodes: " + started.stream().map(RemoteRun::runId).toList());
            for (RemoteRun r : started) follow(r);
        });
    }

    private void replaceRun(String runId, RemoteRun updated) {
        for (int i = 0; i < runs.size(); i++) if (runs.get(i).runId().equals(runId)) runs.set(i, updated);
    }

    /** Follows a run (again): from its last event, on a new connection, until it ends. */
    public void follow(RemoteRun run) {
        work.background(() -> {
            try (SshConnection c = SshConnection.open(run.clusterHost(), ssh)) {
                synchronized (following) {
                    following.add(c);
                }
                // events are handed to the FX thread in batches: a fast run sends thousands a second
                java.util.concurrent.ConcurrentLinkedQueue<JsonNode> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
                java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
                client.follow(c, run.runId(), run.lastSeq(), e -> {
                    pending.add(e);
                    if (!scheduled.getAndSet(true)) {
                        Platform.runLater(() -> {
                            scheduled.set(false);
                            List<JsonNode> batch = new ArrayList<>();
                            for (JsonNode n; (n = pending.poll()) != null; ) batch.add(n);
                            events(run.runId(), batch);
                        });
                    }
                });
            } catch (IOException | RuntimeException e) {
                work.sayLater("Lost " + run.host() + " (" + e.getMessage() + "); re-attach when it is back");
            }
        });
    }

    public void stop(RemoteRun run) {
        work.run("Stopping " + run.runId(), () -> {
            try (SshConnection c = SshConnection.open(run.clusterHost(), ssh)) {
                client.stop(c, run.runId());
            }
        });
    }

    public void stopAll() {
        for (RemoteRun r : List.copyOf(runs)) if (r.state().equals("running")) stop(r);
    }

    /**
     * A run the studio follows by other means than SSH to its nodes (a Slurm job's events file): it joins the run list
     * and the live charts start over for it, as for a launch.
     *
     * @param nodes              the run's nodes (its last rank is the last stage)
     * @param predictedStageMb   the plan's memory per stage (empty for the smoke trainer)
     */
    public void showRun(RemoteRun run, int nodes, List<? extends Number> predictedStageMb) {
        launchedNodes = nodes;
        series.reset(predictedStageMb);
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).runId().equals(run.runId())) {
                // followed again (a reopened project): what it measured and predicted stays
                runs.set(i, run.over(runs.get(i)));
                return;
            }
        }
        runs.add(run);
    }

    /** One of its events (on the FX thread), as if it had come over SSH. */
    public void event(String runId, JsonNode e) {
        onEvent(runId, e);
    }

    /** A batch of its events (on the FX thread): the charts redraw once for all of them, not once an event. */
    public void events(String runId, List<JsonNode> batch) {
        if (batch.isEmpty()) return;
        series.quietly(() -> {
            for (JsonNode e : batch) onEvent(runId, e);
        });
    }

    private void onEvent(String runId, JsonNode e) {
        int idx = -1;
        for (int i = 0; i < runs.size(); i++) if (runs.get(i).runId().equals(runId)) idx = i;
        if (idx < 0) return;
        RemoteRun r = runs.get(idx);
        long seq = e.path("seq").asLong(r.lastSeq());
        RunnerEvent kind = RunnerEvent.of(e);
        double measured = r.measuredIterationS();
        double peak = r.measuredPeakMemoryMb();
        String state = r.state();
        if (kind == RunnerEvent.ITERATION) {
            int it = e.path("iteration").asInt();
            if (e.has("loss") && e.path("loss").isNumber() && r.rank() == 0) series.loss(it, e.path("loss").asDouble());
            if (e.has("iteration_ms")) {
                double median = series.iteration(runId, r.rank() == 0, it, e.path("iteration_ms").asDouble() / 1000, r.predictedIterationS());
                if (!Double.isNaN(median)) measured = median;
                if (r.rank() == 0 && measured > 0) {
                    lastMeasured.set(measured);
                    lastPredicted.set(r.predictedIterationS());
                }
            }
        } else if (kind == RunnerEvent.MEMORY) {
            peak = Math.max(peak, e.path("max_mb").asDouble());
            int stages = editor.plan() == null ? 1 : editor.plan().pp();
            int stage = r.rank() == 0 ? 0 : (r.rank() == launchedNodes - 1 ? stages - 1 : -1);
            if (stage >= 0) series.peakMemory(stage, peak);
        } else if (kind.isEnd()) {
            state = kind.wireName();
        } else if (kind == RunnerEvent.ERROR) {
            work.say(r.host() + ": " + e.path("kind").asText() + " — " + e.path("line").asText());
        }
        runs.set(idx, r.withProgress(seq, measured, peak, state));
        if (kind == RunnerEvent.ITERATION && measured > 0 && r.predictedIterationS() > 0) {
            work.say(String.format(Locale.ROOT, "iteration %d: measured %.3f s, predicted %.3f s (%+.1f %%)", e.path("iteration").asInt(),
                    measured, r.predictedIterationS(), (r.predictedIterationS() / measured - 1) * 100));
        }
    }

    /** Closes the connections of followed runs (they go on on the nodes). */
    public void detach() {
        synchronized (following) {
            for (SshConnection c : following) {
                try {
                    c.close();
                } catch (IOException e) {
                    // already gone
                }
            }
            following.clear();
        }
    }
}
