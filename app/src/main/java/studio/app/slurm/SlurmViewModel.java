package studio.app.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import studio.app.cluster.ClusterHost;
import studio.app.cluster.JobKind;
import studio.app.cluster.JobState;
import studio.app.cluster.RemoteRun;
import studio.app.cluster.SlurmJob;
import studio.app.cluster.SlurmSettings;
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;
import studio.app.remote.ClusterProfiler;
import studio.app.remote.RemoteViewModel;
import studio.app.remote.RemoteWork;
import studio.app.remote.SshConnection;
import studio.app.remote.SshSettings;
import studio.app.remote.TrainRequest;
import studio.app.remote.TrainingOptionsForm;
import studio.engine.model.ModelCatalog;
import studio.engine.protocol.RunnerEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Slurm through a login node (the cluster tab's first host): the job's settings as a form, the batch script prepared
 * from the plan for the user to read and edit, submitted as it stands, and every job tracked (state, pending reason,
 * expected start, exit code) with node 0's events in the cluster tab's live charts; cancel and requeue; tracking
 * resumes after the login node drops the connection and after the studio restarts (the jobs are in the project).
 */
public final class SlurmViewModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a tracked job is asked after. */
    static final long POLL_MS = 1000;

    public final StringProperty account = new SimpleStringProperty("");
    public final StringProperty partition = new SimpleStringProperty("");
    public final StringProperty qos = new SimpleStringProperty("");
    public final StringProperty timeLimit = new SimpleStringProperty("");
    public final StringProperty constraint = new SimpleStringProperty("");
    public final BooleanProperty exclusive = new SimpleBooleanProperty(false);
    /** Empty: the plan's GPUs per node. */
    public final StringProperty gpusPerNode = new SimpleStringProperty("");
    public final StringProperty containerImage = new SimpleStringProperty("");
    public final StringProperty containerMounts = new SimpleStringProperty("");
    public final StringProperty jobSetup = new SimpleStringProperty("");
    public final StringProperty workDir = new SimpleStringProperty("~/galvatron-studio");
    public final StringProperty loginSetup = new SimpleStringProperty("");
    /** The batch script to submit: prepared from the plan, then the user's to edit. */
    public final StringProperty script = new SimpleStringProperty("");
    /** What to run: the plan on Galvatron's runtime (with its checkpoints and data), or the runner's smoke trainer. */
    public final TrainingOptionsForm training = new TrainingOptionsForm();

    private final ObservableList<SlurmJob> jobs = FXCollections.observableArrayList();
    private final PlanEditor editor;
    private final ContextLoader loader;
    private final RemoteViewModel remote;
    private final SshSettings ssh;
    private final Path runnerJar;
    /** Slurm commands off the FX thread, and the section's status line. */
    private final RemoteWork work;
    /** The prepared script's job folder and config (the script refers to both). */
    private volatile Prepared prepared;
    private final Map<String, AtomicBoolean> tracking = new ConcurrentHashMap<>();

    private record Prepared(String jobDir, String configJson, String name, int nodes, double predictedIterationS, List<Integer> predictedStageMb,
                            SlurmSettings settings, JobKind kind, ClusterSettings cluster, studio.app.cluster.RunPrediction prediction) {
    }

    /** The cluster settings a profile job measures for (its files re-cost the plan of these settings). */
    private final Map<String, ClusterSettings> profiledFor = new ConcurrentHashMap<>();

    public SlurmViewModel(PlanEditor editor, ContextLoader loader, RemoteViewModel remote, SshSettings ssh, Path runnerJar, Executor executor) {
        this.editor = editor;
        this.loader = loader;
        this.remote = remote;
        this.ssh = ssh;
        this.runnerJar = runnerJar;
        this.work = new RemoteWork(executor);
    }

    public ObservableList<SlurmJob> jobs() { return jobs; }

    public ReadOnlyStringProperty statusProperty() { return work.statusProperty(); }

    public ReadOnlyBooleanProperty busyProperty() { return work.busyProperty(); }

    /** The form as settings; a field Slurm would not take is an IllegalArgumentException naming it. */
    public SlurmSettings settings() {
        Integer gpus = null;
        if (!gpusPerNode.get().isBlank()) {
            try {
                gpus = Integer.valueOf(gpusPerNode.get().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Slurm GPUs per node: expected a whole number (or empty for the plan's), got '"
                        + gpusPerNode.get() + "'");
            }
        }
        return new SlurmSettings(account.get(), partition.get(), qos.get(), timeLimit.get(), constraint.get(), exclusive.get(), gpus,
                containerImage.get(), containerMounts.get(), lines(jobSetup.get()), workDir.get(), lines(loginSetup.get()));
    }

    /** The project's settings back into the form. */
    public void show(SlurmSettings s) {
        if (s == null) return;
        account.set(s.account());
        partition.set(s.partition());
        qos.set(s.qos());
        timeLimit.set(s.timeLimit());
        constraint.set(s.constraint());
        exclusive.set(s.exclusive());
        gpusPerNode.set(s.gpusPerNode() == null ? "" : String.valueOf(s.gpusPerNode()));
        containerImage.set(s.containerImage());
        containerMounts.set(s.containerMounts());
        jobSetup.set(String.join("\n", s.jobSetup()));
        workDir.set(s.workDir());
        loginSetup.set(String.join("\n", s.loginSetup()));
    }

    /** The form as the project saves it (null while a field is invalid: the last valid settings are not kept apart). */
    public SlurmSettings settingsOrNull() {
        try {
            return settings();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private ClusterHost loginNode() {
        if (remote.hosts().isEmpty()) throw new IllegalStateException("Add the login node as the cluster's host first");
        return remote.hosts().get(0);
    }

    /** The settings and the login node, or null (the status line says what is missing). */
    private record Target(SlurmSettings settings, ClusterHost login) {
    }

    private Target target(boolean needsPlan) {
        try {
            Target t = new Target(settings(), loginNode());
            if (needsPlan && editor.state() == null) {
                work.say("Open a plan first");
                return null;
            }
            return t;
        } catch (RuntimeException e) {
            work.say(e.getMessage());
            return null;
        }
    }

    /** Renders the plan's batch script (the runner copied to the shared folder first) into {@link #script}. */
    public void prepare() {
        Target target = target(true);
        if (target == null) return;
        SlurmSettings s = target.settings();
        var cluster = editor.state().context().settings();
        var estimate = editor.estimate();
        boolean plan = training.engine.get().equals("galvatron");
        TrainRequest request;
        try {
            request = training.request(editor, remote.galvatron3ModelSize());
        } catch (IllegalArgumentException e) {
            work.say(e.getMessage());
            return;
        }
        String config = plan ? request.planConfig(editor.plan(), cluster.worldSize()) : null;
        String name = plan ? cluster.model() : "smoke";
        String about = plan ? editor.planSummary() : "the runner's DJL smoke trainer";
        double predicted = plan && estimate != null ? estimate.iterationS() : 0;
        List<Integer> stageMb = plan && estimate != null ? estimate.memory().stream().map(m -> m.totalMb()).toList() : List.of();
        int nodes = cluster.nodes();
        int gpus = cluster.gpusPerNode();
        // what calibration compares the job with once it is measured
        studio.app.cluster.RunPrediction prediction = plan && estimate != null ? studio.app.cluster.RunPrediction.of(cluster.gpu(), nodes, gpus, estimate)
                : null;
        prepareJob(target, name, (c, jar, jobDir, jobName) -> SbatchScript.render(s, jobName, nodes, gpus, jobDir, jar, request,
                config == null ? null : jobDir + "/galvatron_config.json", about),
                (jobDir, jobName) -> new Prepared(jobDir, config, jobName, nodes, predicted, stageMb, s, JobKind.TRAINING, cluster, prediction));
    }

    /** Writes a job's script once the runner is on the shared folder and the job has its folder there. */
    @FunctionalInterface
    private interface ScriptWriter {
        String write(SshConnection c, String runnerJar, String jobDir, String jobName) throws IOException;
    }

    /** The steps every job's preparation shares: the runner copied, the job's folder made, the script shown for editing. */
    private void prepareJob(Target target, String name, ScriptWriter writer, java.util.function.BiFunction<String, String, Prepared> record) {
        String jobName = name.replaceAll("[^A-Za-z0-9._-]", "_");
        work.run("Preparing the job script on " + target.login().host(), () -> {
            SlurmClient client = new SlurmClient(target.settings(), runnerJar);
            try (SshConnection c = SshConnection.open(target.login(), ssh)) {
                String jar = client.ensureRunner(c);
                String jobDir = client.newJobDir(c, jobName);
                String text = writer.write(c, jar, jobDir, jobName);
                Prepared p = record.apply(jobDir, jobName);
                Platform.runLater(() -> {
                    prepared = p;
                    script.set(text);
                    work.say("Prepared " + jobDir + "/job.sbatch: read it, edit it if you like, then submit");
                });
            }
        });
    }

    /**
     * A profile as a job: the hardware measured on every node of the plan's cluster, or the model's layer on one node;
     * its script prepared for reading and editing, submitted as a training job is, and its files brought home and the
     * plan re-costed on them when it ends.
     */
    public void prepareProfile(JobKind kind) {
        Target target = target(true);
        if (target == null) return;
        SlurmSettings s = target.settings();
        var ctx = editor.state().context();
        ClusterSettings cluster = ctx.settings();
        ClusterProfiler.Options options = remote.profileOptionsProperty().get();
        boolean hardware = kind == JobKind.HARDWARE_PROFILE;
        int nodes = hardware ? cluster.nodes() : 1;
        var model = ctx.model();
        Path modelFile = hardware ? null : new ModelCatalog(loader.sampleRoot()).file(cluster.model());
        String name = hardware ? "profile-hardware" : "profile-" + model.name();
        String about = hardware ? "the hardware of " + cluster.nodes() + " x " + cluster.gpusPerNode() + " GPUs" : "the layer of " + model.name();
        prepareJob(target, name, (c, jar, jobDir, jobName) -> {
            List<String> args;
            if (hardware) {
                args = ClusterProfiler.hardwareArgs(jobDir + "/hardware", nodes, cluster.gpusPerNode(), 0, "", options);
            } else {
                String remoteModel = jobDir + "/" + modelFile.getFileName();
                c.upload(modelFile, remoteModel);
                args = ClusterProfiler.modelArgs(remoteModel, model, jobDir + "/model", cluster, options);
            }
            return SbatchScript.renderProfile(s, jobName, nodes, cluster.gpusPerNode(), jobDir, jar, args, about);
        }, (jobDir, jobName) -> new Prepared(jobDir, null, jobName, nodes, 0, List.of(), s, kind, cluster, null));
    }

    /** Submits the script as it stands (the user's edits kept), records the job and follows it. */
    public void submit() {
        Prepared p = prepared;
        if (p == null || script.get().isBlank()) {
            work.say("Prepare the job script first");
            return;
        }
        String text = script.get();
        Target target = target(false);
        if (target == null) return;
        ClusterHost login = target.login();
        work.run("Submitting to Slurm on " + login.host(), () -> {
            SlurmClient client = new SlurmClient(p.settings(), runnerJar);
            String id;
            try (SshConnection c = SshConnection.open(login, ssh)) {
                id = client.submit(c, p.jobDir(), text, p.configJson());
            }
            SlurmJob job = new SlurmJob(id, p.name(), p.jobDir(), JobState.PENDING, "", "", "", 0, p.predictedIterationS(), p.kind(), text);
            if (p.kind().profiles()) profiledFor.put(id, p.cluster());
            Platform.runLater(() -> {
                // a script is submitted once: the next job gets a folder of its own
                prepared = null;
                jobs.add(job);
                // a training job's events go into the live charts; a profile's progress is the status line
                if (!p.kind().profiles()) remote.showRun(runOf(login, job).withPrediction(p.prediction()), p.nodes(), p.predictedStageMb());
                work.say("Submitted job " + id + " (" + p.jobDir() + ")");
                track(job);
            });
        });
    }

    /** The job as a run of the cluster tab (its runs table and live charts). */
    private static RemoteRun runOf(ClusterHost login, SlurmJob job) {
        return new RemoteRun(login.host(), login.port(), login.user(), login.keyText(), 0, runId(job), 0, 0, job.predictedIterationS(), 0, "running");
    }

    static String runId(SlurmJob job) {
        return RUN_PREFIX + job.jobId();
    }

    private static final String RUN_PREFIX = "slurm-";

    /** Whether a run of the cluster tab is a Slurm job's (followed through the login node, not over SSH to a node). */
    public static boolean isJobRun(RemoteRun run) {
        return run.runId().startsWith(RUN_PREFIX);
    }

    /** The jobs of an opened project: shown, and the ones not known to have ended followed again. */
    public void restore(List<SlurmJob> saved, SlurmSettings settings) {
        stopTracking();
        show(settings);
        jobs.setAll(saved);
        if (remote.hosts().isEmpty()) return;
        ClusterHost login = remote.hosts().get(0);
        for (SlurmJob j : saved) {
            if (!j.state().ended()) {
                remote.showRun(runOf(login, j), 1, List.of());
                track(j);
            }
        }
    }

    /**
     * Follows a job until it has ended and its events are read: its state, and node 0's new events into the live
     * charts. A dropped connection is retried with a growing pause; the job goes on meanwhile.
     */
    public void track(SlurmJob job) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean previous = tracking.put(job.jobId(), stop);
        if (previous != null) previous.set(true);
        // polling needs only the login node's setup lines: a form being edited into something invalid keeps the defaults'
        SlurmSettings form = settingsOrNull();
        SlurmSettings s = form != null ? form : SlurmSettings.defaults("~");
        ClusterHost login = remote.hosts().isEmpty() ? null : remote.hosts().get(0);
        if (login == null) return;
        work.background(() -> follow(job, login, new SlurmClient(s, runnerJar), stop));
    }

    private void follow(SlurmJob start, ClusterHost login, SlurmClient client, AtomicBoolean stop) {
        SlurmJob job = start;
        long pauseMs = 1000;
        // a profile's results: the files it wrote, what its checks flagged, the errors it reported
        List<String> files = new java.util.ArrayList<>();
        List<String> findings = new java.util.ArrayList<>();
        List<String> errors = new java.util.ArrayList<>();
        while (!stop.get()) {
            try (SshConnection c = SshConnection.open(login, ssh)) {
                pauseMs = 1000;
                while (!stop.get()) {
                    SlurmJob now = client.refresh(c, job);
                    SlurmClient.Lines lines = client.readLines(c, now.eventsFile(), job.eventsRead());
                    now = now.withEventsRead(lines.nextFrom());
                    SlurmJob shown = now;
                    List<JsonNode> events = lines.lines().stream().map(SlurmViewModel::parse).filter(e -> e != null).toList();
                    for (JsonNode e : events) {
                        switch (RunnerEvent.of(e)) {
                            case PROFILE_FINISHED -> e.path("files").forEach(f -> files.add(f.asText()));
                            case WARNING -> findings.add(e.path("message").asText());
                            case ERROR -> errors.add(e.path("message").asText(e.path("line").asText()));
                            default -> { }
                        }
                    }
                    String tail = shown.state().ended() && shown.exitStatus() != null && shown.exitStatus() != 0 ? client.outputTail(c, shown, 5) : null;
                    Platform.runLater(() -> {
                        replace(shown);
                        if (!shown.kind().profiles()) {
                            remote.events(runId(shown), events);
                        } else {
                            for (JsonNode e : events) {
                                ClusterProfiler.fraction(e).ifPresent(f -> work.say(String.format(java.util.Locale.ROOT,
                                        "Profile job %s: %.0f %% measured", shown.jobId(), 100 * f)));
                            }
                        }
                        if (tail != null) work.say("Job " + shown.jobId() + " " + shown.state() + ", exit " + shown.exitCode() + ": " + tail);
                    });
                    job = now;
                    if (now.state() == JobState.UNKNOWN && lines.lines().isEmpty()) {
                        // Slurm no longer knows the job (it ended long ago, and accounting is off): nothing more to follow
                        tracking.remove(job.jobId(), stop);
                        return;
                    }
                    if (now.state().ended() && lines.lines().isEmpty()) {
                        if (now.kind().profiles()) bringHome(c, now, files, findings, errors);
                        tracking.remove(job.jobId(), stop);
                        return;
                    }
                    Thread.sleep(POLL_MS);
                }
            } catch (IOException | RuntimeException e) {
                // the login node or the network dropped us (or a command failed): the job goes on, so try again
                String why = e.getMessage();
                long pause = pauseMs;
                work.sayLater("Lost the login node " + login.host() + " (" + why + "); trying again in "
                        + pause / 1000 + " s. The job goes on.");
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException ie) {
                    return;
                }
                pauseMs = Math.min(30_000, pauseMs * 2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A profile job's files into the measured folder, and the plan re-costed on them. */
    private void bringHome(SshConnection c, SlurmJob job, List<String> files, List<String> findings, List<String> errors) throws IOException {
        if (job.state() != JobState.COMPLETED || !errors.isEmpty() || files.isEmpty()) {
            String why = !errors.isEmpty() ? String.join("; ", errors) : job.state() + ", exit " + job.exitCode();
            work.sayLater("Profile job " + job.jobId() + " measured nothing to bring home: " + why);
            return;
        }
        Path into = job.kind() == JobKind.HARDWARE_PROFILE ? loader.measuredHardwareDir() : loader.measuredRoot();
        for (String f : files) c.download(f, into.resolve(f.substring(f.lastIndexOf('/') + 1)));
        ClusterSettings cluster = profiledFor.remove(job.jobId());
        if (cluster == null && editor.state() != null) cluster = editor.state().context().settings();
        if (cluster == null) return;
        remote.profiling().measured(cluster, (job.kind() == JobKind.HARDWARE_PROFILE ? "hardware" : "model") + " profile measured by Slurm job "
                + job.jobId() + ": " + files.size() + " files", List.copyOf(findings));
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null; // not an event (a line the job printed itself)
        }
    }

    private void replace(SlurmJob updated) {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).jobId().equals(updated.jobId())) {
                if (!jobs.get(i).equals(updated)) jobs.set(i, updated);
                return;
            }
        }
    }

    public void cancel(SlurmJob job) {
        slurmCommand("Cancelling job " + job.jobId(), (client, c) -> client.cancel(c, job.jobId()));
    }

    /** Back in the queue; its events start over (Slurm reruns the script). */
    public void requeue(SlurmJob job) {
        slurmCommand("Requeueing job " + job.jobId(), (client, c) -> {
            client.requeue(c, job.jobId());
            Platform.runLater(() -> track(job.withEventsRead(0)));
        });
    }

    @FunctionalInterface
    private interface SlurmCall {
        void run(SlurmClient client, SshConnection c) throws IOException;
    }

    private void slurmCommand(String what, SlurmCall call) {
        Target target = target(false);
        if (target == null) return;
        SlurmSettings s = target.settings();
        ClusterHost login = target.login();
        work.run(what, () -> {
            try (SshConnection c = SshConnection.open(login, ssh)) {
                call.run(new SlurmClient(s, runnerJar), c);
            }
            work.sayLater(what + ": done");
        });
    }

    /** Stops following (the window closes or another project opens); the jobs go on. */
    public void stopTracking() {
        tracking.values().forEach(b -> b.set(true));
        tracking.clear();
    }
}
