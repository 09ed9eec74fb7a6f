package studio.app.remote;

import studio.engine.protocol.RunnerEvent;
import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import com.fasterxml.jackson.databind.JsonNode;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.jfree.data.xy.XYSeries;
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.EditorState;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.cost.PlanEstimate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The cluster and its training runs: hosts, checking them against the plan, launching every node with its rank,
 * following the runs' events into live series, stopping, re-attaching. SSH work runs on the executor, never the FX
 * thread; state changes happen on the FX thread.
 */
public final class RemoteViewModel {
    /** One row of the cluster check. */
    public record HostCheck(ClusterHost host, int gpus, String gpuNames, String torch, String galvatron, String problem) {
    }

    private final ObservableList<ClusterHost> hosts = FXCollections.observableArrayList();
    private final ObservableList<HostCheck> checks = FXCollections.observableArrayList();
    private final ObservableList<RemoteRun> runs = FXCollections.observableArrayList();
    private final XYSeries loss = new XYSeries("loss");
    private final XYSeries iterationTime = new XYSeries("measured (s)");
    private final XYSeries predicted = new XYSeries("predicted (s)");
    private final javafx.beans.property.ReadOnlyDoubleWrapper lastMeasured = new javafx.beans.property.ReadOnlyDoubleWrapper();
    private final javafx.beans.property.ReadOnlyDoubleWrapper lastPredicted = new javafx.beans.property.ReadOnlyDoubleWrapper();
    /** Peak memory per stage: the plan's prediction and what Galvatron printed (rank 0 is stage 0, the last rank the last stage). */
    private final org.jfree.data.category.DefaultCategoryDataset memory = new org.jfree.data.category.DefaultCategoryDataset();
    private int launchedNodes = 1;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final Map<String, List<Double>> measuredMs = new ConcurrentHashMap<>();
    private final PlanEditor editor;
    private final RunnerClient client;
    private final SshSettings ssh;
    private final Executor executor;
    private final List<SshConnection> following = new ArrayList<>();
    private final ContextLoader loader;
    private final ClusterProfiler profiler;
    /** Fraction of the running profile done; -1 while its size is not known yet. */
    private final ReadOnlyDoubleWrapper profileProgress = new ReadOnlyDoubleWrapper(0);

    public RemoteViewModel(PlanEditor editor, ContextLoader loader, RunnerClient client, Path knownHosts, HostKeyPolicy policy, Executor executor) {
        this(editor, loader, client, SshSettings.of(knownHosts, policy), executor);
    }

    public RemoteViewModel(PlanEditor editor, ContextLoader loader, RunnerClient client, SshSettings ssh, Executor executor) {
        this.editor = editor;
        this.loader = loader;
        this.client = client;
        this.ssh = ssh;
        this.executor = executor;
        this.profiler = new ClusterProfiler(client, ssh, executor);
    }

    /** Work on the cluster needs an open plan and its hosts; says so when they are missing. */
    private boolean planAndHosts() {
        if (editor.state() != null && !hosts.isEmpty()) return true;
        status.set("Add the cluster's hosts first");
        return false;
    }

    public ReadOnlyDoubleProperty profileProgressProperty() { return profileProgress.getReadOnlyProperty(); }

    /** How much the profile buttons measure (Galvatron's defaults unless changed). */
    public javafx.beans.property.ObjectProperty<ClusterProfiler.Options> profileOptionsProperty() { return profileOptions; }

    private final javafx.beans.property.ObjectProperty<ClusterProfiler.Options> profileOptions =
            new javafx.beans.property.SimpleObjectProperty<>(ClusterProfiler.Options.galvatronDefaults());

    private final ReadOnlyBooleanWrapper profiling = new ReadOnlyBooleanWrapper();
    private volatile boolean profileCancelled;

    private final ObservableList<String> profileFindings = FXCollections.observableArrayList();

    /** What the last profile's sanity checks flagged (empty when all looked right). */
    public ObservableList<String> profileFindings() { return profileFindings; }

    /** True while a profile runs on the cluster (what the cancel button needs). */
    public ReadOnlyBooleanProperty profilingProperty() { return profiling.getReadOnlyProperty(); }

    /** Stops the running profile on every host; running it again resumes where it stopped. */
    public void cancelProfile() {
        if (!profiling.get()) return;
        profileCancelled = true;
        List<ClusterHost> hs = List.copyOf(hosts);
        status.set("Cancelling the profile…");
        executor.execute(() -> {
            try {
                profiler.cancel(hs);
            } catch (IOException e) {
                Platform.runLater(() -> status.set("Could not cancel the profile: " + e.getMessage()));
            }
        });
    }

    /** Runs a profile with {@link #work}, telling a cancellation apart from a failure. */
    private void profile(String what, ThrowingRunnable r) {
        profileCancelled = false;
        profileFindings.clear();
        profiling.set(true);
        profileProgress.set(-1);
        work(what, () -> {
            try {
                r.run();
            } catch (Exception e) {
                if (!profileCancelled) throw e;
                Platform.runLater(() -> status.set("Profile cancelled; what it measured is kept on the node, and running it again resumes"));
            } finally {
                Platform.runLater(() -> profiling.set(false));
            }
        });
    }

    public void profileHardware() {
        profileHardware(profileOptions.get());
    }

    public void profileModel() {
        profileModel(profileOptions.get());
    }

    /**
     * Measures the cluster's hardware (every listed host is a node), brings Galvatron's hardware files home and
     * re-evaluates the plan on them.
     */
    public void profileHardware(ClusterProfiler.Options options) {
        if (!planAndHosts()) return;
        List<ClusterHost> hs = List.copyOf(hosts);
        ClusterSettings s = editor.state().context().settings();
        profile("Profiling the hardware of " + hs.size() + " x " + s.gpusPerNode() + " GPUs", () -> {
            ClusterProfiler.Result r = profiler.profileHardware(hs, s, options, loader.measuredHardwareDir(), this::progress);
            reEvaluate(s, "hardware profile measured on " + hs.get(0).host() + ": " + r.files().size() + " files", r.findings());
        });
    }

    /** Measures the model's layer on the first host (DJL), brings the two model profiles home and re-evaluates. */
    public void profileModel(ClusterProfiler.Options options) {
        if (!planAndHosts()) return;
        ClusterHost host = hosts.get(0);
        PlanningContext ctx = editor.state().context();
        ClusterSettings s = ctx.settings();
        ModelDescription model = ctx.model();
        Path modelFile = new ModelCatalog(loader.sampleRoot()).file(s.model());
        profile("Profiling " + model.name() + " on " + host.host(), () -> {
            ClusterProfiler.Result r = profiler.profileModel(host, model, modelFile, s, options, loader.measuredRoot(), this::progress);
            reEvaluate(s, "model profile measured on " + host.host() + ": " + r.files().size() + " files", r.findings());
        });
    }

    private void progress(double fraction) {
        Platform.runLater(() -> profileProgress.set(fraction));
    }

    /** Loads the context again (now on the measured files) and re-costs the current plan; undo goes back. */
    private void reEvaluate(ClusterSettings s, String what, List<String> findings) {
        loader.forget(); // the files just measured replace what was loaded before
        PlanningContext ctx = loader.load(s);
        Platform.runLater(() -> {
            profileProgress.set(1);
            profileFindings.setAll(findings);
            EditorState cur = editor.state();
            if (cur != null && cur.context().settings().equals(s)) {
                editor.apply(new EditorState(ctx, cur.plan(), "re-evaluated on " + ctx.sourceLabel()));
            }
            status.set(what + "; the plan now uses " + ctx.sourceLabel()
                    + (findings.isEmpty() ? "" : "; " + findings.size() + " results flagged by the sanity checks (listed below)"));
        });
    }

    public ObservableList<ClusterHost> hosts() { return hosts; }

    /** The model name of a project that targets Galvatron 3.0 (its YAML's model_size), else null. */
    public String galvatron3ModelSize() {
        if (editor.state() == null || editor.state().context().target() != studio.engine.plan.TargetRuntime.GALVATRON_V3) return null;
        var yaml = editor.state().context().yaml();
        return yaml != null ? yaml.settings().modelName() : editor.state().context().model().name();
    }

    /** The plan's cluster settings (null before a plan is open). */
    public studio.app.project.ClusterSettings editorSettings() {
        return editor.state() == null ? null : editor.state().context().settings();
    }

    public ObservableList<HostCheck> checks() { return checks; }

    public ObservableList<RemoteRun> runs() { return runs; }

    public XYSeries loss() { return loss; }

    public XYSeries iterationTime() { return iterationTime; }

    public XYSeries predicted() { return predicted; }

    /** The latest run's measured iteration (median after warm-up, s; 0 before any) on its first node. */
    public javafx.beans.property.ReadOnlyDoubleProperty lastMeasuredIterationS() { return lastMeasured.getReadOnlyProperty(); }

    /** What the plan predicted for it (s; 0 when the run is not the plan's, as the smoke trainer's). */
    public javafx.beans.property.ReadOnlyDoubleProperty lastPredictedIterationS() { return lastPredicted.getReadOnlyProperty(); }

    public org.jfree.data.category.DefaultCategoryDataset memory() { return memory; }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }

    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }

    private void work(String what, ThrowingRunnable r) {
        busy.set(true);
        status.set(what + "…");
        executor.execute(() -> {
            try {
                r.run();
            } catch (Exception e) {
                Platform.runLater(() -> status.set(what + " failed: " + e.getMessage()));
            } finally {
                Platform.runLater(() -> busy.set(false));
            }
        });
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Runs {@code env} on every host and compares the GPUs found with the plan's cluster. */
    public void checkCluster() {
        List<ClusterHost> hs = List.copyOf(hosts);
        int wantGpus = editor.state() == null ? 0 : editor.state().context().settings().gpusPerNode();
        int wantNodes = editor.state() == null ? 0 : editor.state().context().settings().nodes();
        work("Checking " + hs.size() + " hosts", () -> {
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
                status.set("Checked " + out.size() + " hosts" + nodes);
            });
        });
    }

    /** Writes the plan's config, starts every node (the first is the master) and follows them. */
    public void launch(TrainRequest request) {
        if (!planAndHosts()) return;
        List<ClusterHost> hs = List.copyOf(hosts);
        PlanEstimate estimate = editor.estimate();
        // the config as the run's runtime reads it: 3.0's with the keys its runtime needs (cp, ep, vocab_sdp), or v2's
        String json = studio.engine.plan.v3.Galvatron3Config.forTarget(editor.plan(), request.galvatron3()
                ? studio.engine.plan.TargetRuntime.GALVATRON_V3 : studio.engine.plan.TargetRuntime.GALVATRON_V2, editor.state().context().settings().worldSize());
        boolean withConfig = request.engine().equals("galvatron");
        loss.clear();
        iterationTime.clear();
        predicted.clear();
        measuredMs.clear();
        memory.clear();
        launchedNodes = hs.size();
        if (request.engine().equals("galvatron")) {
            for (var m : estimate.memory()) memory.addValue(m.totalMb(), "predicted", "stage " + m.stage());
        }
        work("Launching on " + hs.size() + " nodes", () -> {
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
                    RemoteRun run = new RemoteRun(h.host(), h.port(), h.user(), h.keyText(), rank, id, 0, 0, predictedS, 0, "running");
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
            Platform.runLater(() -> status.set("Started " + started.size() + " nodes: " + started.stream().map(RemoteRun::runId).toList()));
            for (RemoteRun r : started) follow(r);
        });
    }

    private void replaceRun(String runId, RemoteRun updated) {
        for (int i = 0; i < runs.size(); i++) if (runs.get(i).runId().equals(runId)) runs.set(i, updated);
    }

    /** Follows a run (again): from its last event, on a new connection, until it ends. */
    public void follow(RemoteRun run) {
        executor.execute(() -> {
            try (SshConnection c = SshConnection.open(run.clusterHost(), ssh)) {
                synchronized (following) {
                    following.add(c);
                }
                client.follow(c, run.runId(), run.lastSeq(), e -> Platform.runLater(() -> onEvent(run.runId(), e)));
            } catch (IOException e) {
                Platform.runLater(() -> status.set("Lost " + run.host() + " (" + e.getMessage() + "); re-attach when it is back"));
            }
        });
    }

    public void stop(RemoteRun run) {
        work("Stopping " + run.runId(), () -> {
            try (SshConnection c = SshConnection.open(run.clusterHost(), ssh)) {
                client.stop(c, run.runId());
            }
        });
    }

    public void stopAll() {
        for (RemoteRun r : List.copyOf(runs)) if (r.state().equals("running")) stop(r);
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
            if (e.has("loss") && e.path("loss").isNumber() && r.rank() == 0) loss.addOrUpdate(it, e.path("loss").asDouble());
            if (e.has("iteration_ms")) {
                double s = e.path("iteration_ms").asDouble() / 1000;
                if (r.rank() == 0) {
                    iterationTime.addOrUpdate(it, s);
                    if (r.predictedIterationS() > 0) predicted.addOrUpdate(it, r.predictedIterationS());
                }
                List<Double> ms = measuredMs.computeIfAbsent(runId, k -> new ArrayList<>());
                if (it >= 5) ms.add(s);
                if (!ms.isEmpty()) measured = median(ms);
                if (r.rank() == 0 && measured > 0) {
                    lastMeasured.set(measured);
                    lastPredicted.set(r.predictedIterationS());
                }
            }
        } else if (kind == RunnerEvent.MEMORY) {
            peak = Math.max(peak, e.path("max_mb").asDouble());
            int stages = editor.plan() == null ? 1 : editor.plan().pp();
            int stage = r.rank() == 0 ? 0 : (r.rank() == launchedNodes - 1 ? stages - 1 : -1);
            if (stage >= 0) memory.addValue(peak, "measured", "stage " + stage);
        } else if (kind.isEnd()) {
            state = kind.wireName();
        } else if (kind == RunnerEvent.ERROR) {
            status.set(r.host() + ": " + e.path("kind").asText() + " — " + e.path("line").asText());
        }
        runs.set(idx, new RemoteRun(r.host(), r.port(), r.user(), r.keyFile(), r.rank(), r.runId(), seq, measured, r.predictedIterationS(),
                peak, state));
        if (kind == RunnerEvent.ITERATION && measured > 0 && r.predictedIterationS() > 0) {
            status.set(String.format(Locale.ROOT, "iteration %d: measured %.3f s, predicted %.3f s (%+.1f %%)", e.path("iteration").asInt(),
                    measured, r.predictedIterationS(), (r.predictedIterationS() / measured - 1) * 100));
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
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
