package studio.app.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.cost.SpSpace;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Project files (readable JSON, saved atomically), crash recovery of the unsaved project and the recent-projects
 * list, under a per-user folder.
 */
public final class ProjectStore {
    public static final String FORMAT = "galvatron-studio-project";
    private static final int RECENT = 10;
    private final Path appDir;
    /** This studio instance: its recovery files carry its pid and start time, so two instances never take each other's. */
    private final ProcessHandle owner;
    private Path ownRecovery;

    /** @param appDir the studio's own folder (normally ~/.galvatron-studio) */
    public ProjectStore(Path appDir) {
        this(appDir, ProcessHandle.current());
    }

    /** A store owned by {@code owner} (another process stands in for another studio instance in tests). */
    public ProjectStore(Path appDir, ProcessHandle owner) {
        this.appDir = appDir;
        this.owner = owner;
    }

    /** A recovery file found at start: the unsaved project, the file it belongs to (null: never saved), when written. */
    public record Recovery(Path file, Project project, Path projectFile, String written) {
    }

    /** What a start found: projects to offer back, and recovery files that could not be read (moved aside, named). */
    public record RecoveryScan(List<Recovery> found, List<String> setAside) {
    }

    public static Path defaultAppDir() {
        return Path.of(System.getProperty("user.home"), ".galvatron-studio");
    }

    public Path recoveryDir() { return appDir.resolve("recovery"); }

    /** This instance's recovery file for the project saved at {@code projectFile} (null: not saved yet). */
    public Path recoveryFile(Path projectFile) {
        String key = projectFile == null ? "untitled" : Integer.toHexString(projectFile.toAbsolutePath().normalize().toString().hashCode());
        String name = projectFile == null ? "untitled" : projectFile.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return recoveryDir().resolve(name + "-" + key + "." + owner.pid() + ".json");
    }

    private static String startOf(ProcessHandle p) {
        return p.info().startInstant().map(Object::toString).orElse("");
    }

    public String toJson(Project p) {
        return toNode(p).toPrettyString();
    }

    private ObjectNode toNode(Project p) {
        ObjectNode root = JsonFiles.mapper().createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        ClusterSettings s = p.settings();
        ObjectNode st = root.putObject("settings");
        st.put("model", s.model());
        st.put("num_nodes", s.nodes());
        st.put("num_gpus_per_node", s.gpusPerNode());
        st.put("memory_constraint", s.memoryGb());
        st.put("mixed_precision", s.mixedPrecision());
        st.put("pipeline_type", s.pipelineType().configName());
        st.put("default_dp_type", s.defaultDpType().configName());
        st.put("sequence_parallel", s.sequenceParallel());
        st.put("sp_space", s.spSpace().cliName());
        st.put("gpu", s.gpu());
        if (s.seqLength() > 0) st.put("seq_length", s.seqLength());
        st.put("target", s.target().configName());
        ArrayNode plans = root.putArray("plans");
        for (Project.NamedPlan np : p.plans()) {
            ObjectNode o = plans.addObject();
            o.put("name", np.name());
            if (np.role() != null) o.put("role", np.role().fileName());
            if (np.figures() != null) {
                Project.SearchFigures f = np.figures();
                ObjectNode fj = o.putObject("search");
                fj.put("global_bsz", f.globalBatch());
                fj.put("rank", f.rank());
                fj.put("throughput_samples_per_s", f.throughput());
                fj.put("iteration_time_s", f.iterationS());
                fj.put("peak_memory_mb", f.peakMemoryMb());
                fj.put("min_tp", f.minTp());
                fj.put("max_tp", f.maxTp());
            }
            try {
                o.set("galvatron_config", JsonFiles.mapper().readTree(GalvatronConfig.toJson(np.plan())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        root.put("notes", p.notes());
        ArrayNode hosts = root.putArray("hosts");
        for (var h : p.hosts()) {
            ObjectNode o = hosts.addObject();
            o.put("host", h.host());
            o.put("port", h.port());
            o.put("user", h.user());
            o.put("key_file", h.keyText());
        }
        ArrayNode runs = root.putArray("runs");
        for (var r : p.runs()) {
            ObjectNode o = runs.addObject();
            o.put("host", r.host());
            o.put("port", r.port());
            o.put("user", r.user());
            o.put("key_file", r.keyFile());
            o.put("rank", r.rank());
            o.put("run", r.runId());
            o.put("last_event", r.lastSeq());
            o.put("measured_iteration_s", r.measuredIterationS());
            o.put("predicted_iteration_s", r.predictedIterationS());
            o.put("measured_peak_memory_mb", r.measuredPeakMemoryMb());
            o.put("state", r.state());
            if (r.prediction() != null) {
                var pr = r.prediction();
                ObjectNode t = o.putObject("prediction");
                t.put("cluster", pr.clusterKey());
                t.put("compute_s", pr.terms().computeS());
                t.put("communication_s", pr.terms().communicationS());
                t.put("data_parallel_s", pr.terms().dataParallelS());
                t.put("pipeline_s", pr.terms().pipelineS());
                t.put("peak_mb", pr.peakMb());
            }
        }
        if (p.slurm() != null) {
            var sl = p.slurm();
            ObjectNode o = root.putObject("slurm");
            o.put("account", sl.account());
            o.put("partition", sl.partition());
            o.put("qos", sl.qos());
            o.put("time_limit", sl.timeLimit());
            o.put("constraint", sl.constraint());
            o.put("exclusive", sl.exclusive());
            if (sl.gpusPerNode() != null) o.put("gpus_per_node", sl.gpusPerNode());
            o.put("container_image", sl.containerImage());
            o.put("container_mounts", sl.containerMounts());
            ArrayNode setup = o.putArray("job_setup");
            sl.jobSetup().forEach(setup::add);
            o.put("work_dir", sl.workDir());
            ArrayNode login = o.putArray("login_setup");
            sl.loginSetup().forEach(login::add);
        }
        ArrayNode jobs = root.putArray("slurm_jobs");
        for (var j : p.jobs()) {
            ObjectNode o = jobs.addObject();
            o.put("job_id", j.jobId());
            o.put("name", j.name());
            o.put("job_dir", j.jobDir());
            o.put("state", j.state().name());
            o.put("reason", j.reason());
            o.put("start", j.expectedStart());
            o.put("exit_code", j.exitCode());
            o.put("events_read", j.eventsRead());
            o.put("predicted_iteration_s", j.predictedIterationS());
            o.put("kind", j.kind().name());
            o.put("script", j.script());
        }
        if (!p.slurmScript().isEmpty()) root.put("slurm_script", p.slurmScript());
        root.put("cluster_kind", p.clusterKind().fileName());
        var k = p.kubernetes().settings();
        if (k != null) {
            ObjectNode o = root.putObject("kubernetes");
            o.put("kind", k.kind().name());
            o.put("namespace", k.namespace());
            o.put("image", k.image());
            o.put("image_pull_secret", k.imagePullSecret());
            o.put("model_dir", k.modelDir());
            o.put("gpu_resource", k.gpuResource());
            o.put("volume_claim", k.volumeClaim());
            o.put("mount_path", k.mountPath());
            o.put("shared_memory_gi", k.sharedMemoryGi());
            ArrayNode selector = o.putArray("node_selector");
            k.nodeSelector().forEach(selector::add);
            ArrayNode env = o.putArray("environment");
            k.environment().forEach(env::add);
        }
        if (!p.kubernetes().manifest().isEmpty()) root.put("kubernetes_manifest", p.kubernetes().manifest());
        return root;
    }

    public void save(Path file, Project p) throws IOException {
        JsonFiles.writeAtomically(file, toJson(p));
        addRecent(file);
    }

    public Project open(Path file) {
        return open(file, true);
    }

    private Project open(Path file, boolean remember) {
        ObjectNode root = JsonFiles.readObject(file);
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.asText())) {
            throw new InputFileException(file, "format", "expected \"" + FORMAT + "\"; not a Galvatron Studio project");
        }
        ObjectNode st = JsonFiles.object(file, root, "settings", null);
        ClusterSettings s;
        try {
            s = new ClusterSettings(text(file, st, "model"), JsonFiles.integer(file, "settings.num_nodes", st.get("num_nodes"), 1, 4096, "a node count"),
                    JsonFiles.integer(file, "settings.num_gpus_per_node", st.get("num_gpus_per_node"), 1, 64, "GPUs per node"),
                    JsonFiles.integer(file, "settings.memory_constraint", st.get("memory_constraint"), 1, 16384, "a budget in GB"),
                    text(file, st, "mixed_precision"),
                    PipelineType.parse(text(file, st, "pipeline_type")), DpType.parse(text(file, st, "default_dp_type")),
                    st.path("sequence_parallel").asBoolean(false), SpSpace.parse(st.path("sp_space").asText("tp")),
                    studio.engine.estimate.GpuCatalog.gpu(st.path("gpu").asText(ClusterSettings.MEASURED_GPU)).id(),
                    st.has("seq_length") ? JsonFiles.integer(file, "settings.seq_length", st.get("seq_length"), 1, 1 << 24, "a sequence length") : 0,
                    st.has("target") ? studio.engine.plan.TargetRuntime.parse(text(file, st, "target")) : studio.engine.plan.TargetRuntime.GALVATRON_V2);
        } catch (IllegalArgumentException e) {
            throw new InputFileException(file, "settings", e.getMessage());
        }
        List<Project.NamedPlan> plans = new ArrayList<>();
        JsonNode arr = root.get("plans");
        if (arr == null || !arr.isArray() || arr.isEmpty()) throw new InputFileException(file, "plans", "expected a non-empty array of plans");
        for (JsonNode n : arr) {
            if (!(n.get("galvatron_config") instanceof ObjectNode cfg)) {
                throw new InputFileException(file, "plans[].galvatron_config", "expected a galvatron_config object");
            }
            Project.Role role = null;
            if (n.has("role")) {
                try {
                    role = Project.Role.parse(n.path("role").asText());
                } catch (IllegalArgumentException e) {
                    throw new InputFileException(file, "plans[].role", e.getMessage());
                }
            }
            Project.SearchFigures figures = null;
            if (n.get("search") instanceof ObjectNode f) {
                String k = "plans[].search.";
                figures = new Project.SearchFigures(JsonFiles.integer(file, k + "global_bsz", f.get("global_bsz"), 1, Integer.MAX_VALUE, "a batch size"),
                        JsonFiles.integer(file, k + "rank", f.get("rank"), 1, 1000, "a rank"),
                        JsonFiles.positive(file, k + "throughput_samples_per_s", f.get("throughput_samples_per_s"), "samples/s"),
                        JsonFiles.positive(file, k + "iteration_time_s", f.get("iteration_time_s"), "seconds"),
                        JsonFiles.integer(file, k + "peak_memory_mb", f.get("peak_memory_mb"), 0, Integer.MAX_VALUE, "MB"),
                        JsonFiles.integer(file, k + "min_tp", f.get("min_tp"), 1, 1024, "a TP degree"),
                        JsonFiles.integer(file, k + "max_tp", f.get("max_tp"), 1, 1024, "a TP degree"));
            }
            plans.add(new Project.NamedPlan(n.path("name").asText("plan"),
                    GalvatronConfig.parse(file, cfg, s.worldSize(), s.pipelineType(), s.defaultDpType()).plan(), role, figures));
        }
        List<studio.app.cluster.ClusterHost> hosts = new ArrayList<>();
        for (JsonNode h : root.path("hosts")) {
            try {
                hosts.add(new studio.app.cluster.ClusterHost(h.path("host").asText(), h.path("port").asInt(22), h.path("user").asText(),
                        h.path("key_file").asText("").isBlank() ? null : Path.of(h.path("key_file").asText())));
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "hosts", e.getMessage());
            }
        }
        List<studio.app.cluster.RemoteRun> runs = new ArrayList<>();
        for (JsonNode r : root.path("runs")) {
            runs.add(new studio.app.cluster.RemoteRun(r.path("host").asText(), r.path("port").asInt(22), r.path("user").asText(),
                    r.path("key_file").asText(), r.path("rank").asInt(), r.path("run").asText(), r.path("last_event").asLong(),
                    r.path("measured_iteration_s").asDouble(), r.path("predicted_iteration_s").asDouble(),
                    r.path("measured_peak_memory_mb").asDouble(), r.path("state").asText("unknown"), prediction(file, r.get("prediction"), runs.size())));
        }
        studio.app.cluster.SlurmSettings slurm = null;
        JsonNode sl = root.get("slurm");
        if (sl != null && !sl.isNull()) {
            if (!sl.isObject()) throw new InputFileException(file, "slurm", "expected an object of Slurm settings");
            try {
                slurm = new studio.app.cluster.SlurmSettings(sl.path("account").asText(""), sl.path("partition").asText(""),
                        sl.path("qos").asText(""), sl.path("time_limit").asText(""), sl.path("constraint").asText(""),
                        sl.path("exclusive").asBoolean(false), sl.hasNonNull("gpus_per_node") ? Integer.valueOf(JsonFiles.integer(file,
                        "slurm.gpus_per_node", sl.get("gpus_per_node"), 0, 64, "GPUs per node")) : null,
                        sl.path("container_image").asText(""), sl.path("container_mounts").asText(""), lines(sl.path("job_setup")),
                        sl.path("work_dir").asText(""), lines(sl.path("login_setup")));
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "slurm", e.getMessage());
            }
        }
        List<studio.app.cluster.SlurmJob> jobs = new ArrayList<>();
        int n = 0;
        for (JsonNode j : root.path("slurm_jobs")) {
            String id = j.path("job_id").asText("");
            if (!id.matches("\\d+(_\\d+)?")) {
                throw new InputFileException(file, "slurm_jobs[" + n + "].job_id", "expected a Slurm job id (digits), got '" + id + "'");
            }
            jobs.add(new studio.app.cluster.SlurmJob(id, j.path("name").asText(""), j.path("job_dir").asText(""),
                    studio.app.cluster.JobState.parse(j.path("state").asText("")), j.path("reason").asText(""), j.path("start").asText(""),
                    j.path("exit_code").asText(""), j.path("events_read").asLong(0), j.path("predicted_iteration_s").asDouble(0),
                    studio.app.cluster.JobKind.parse(j.path("kind").asText("")), j.path("script").asText("")));
            n++;
        }
        if (remember) addRecent(file);
        return new Project(s, plans, root.path("notes").asText(""), hosts, runs, slurm, jobs, root.path("slurm_script").asText(""),
                kubernetes(file, root, slurm != null));
    }

    /** A run's prediction, term by term (null: none kept). */
    private static studio.app.cluster.RunPrediction prediction(Path file, JsonNode p, int run) {
        if (p == null || p.isNull()) return null;
        if (!p.isObject()) throw new InputFileException(file, "runs[" + run + "].prediction", "expected an object of predicted terms");
        String key = "runs[" + run + "].prediction.";
        try {
            return new studio.app.cluster.RunPrediction(p.path("cluster").asText(""), new studio.engine.calibration.TimeTerms(
                    JsonFiles.nonNegative(file, key + "compute_s", p.get("compute_s"), "seconds"),
                    JsonFiles.nonNegative(file, key + "communication_s", p.get("communication_s"), "seconds"),
                    JsonFiles.nonNegative(file, key + "data_parallel_s", p.get("data_parallel_s"), "seconds"),
                    JsonFiles.nonNegative(file, key + "pipeline_s", p.get("pipeline_s"), "seconds")),
                    JsonFiles.nonNegative(file, key + "peak_mb", p.get("peak_mb"), "MB"));
        } catch (IllegalArgumentException e) {
            throw new InputFileException(file, key, e.getMessage());
        }
    }

    /** The cluster's kind (older files: Slurm when they have its settings) and the Kubernetes settings and manifest. */
    private static Project.Kubernetes kubernetes(Path file, JsonNode root, boolean slurm) {
        studio.app.cluster.ClusterKind kind;
        try {
            kind = root.hasNonNull("cluster_kind") ? studio.app.cluster.ClusterKind.parse(root.get("cluster_kind").asText())
                    : slurm ? studio.app.cluster.ClusterKind.SLURM : studio.app.cluster.ClusterKind.SSH_NODES;
        } catch (IllegalArgumentException e) {
            throw new InputFileException(file, "cluster_kind", e.getMessage());
        }
        studio.app.cluster.KubernetesSettings settings = null;
        JsonNode k = root.get("kubernetes");
        if (k != null && !k.isNull()) {
            if (!k.isObject()) throw new InputFileException(file, "kubernetes", "expected an object of Kubernetes settings");
            studio.app.cluster.KubernetesSettings.ManifestKind manifestKind;
            try {
                manifestKind = studio.app.cluster.KubernetesSettings.ManifestKind.valueOf(k.path("kind").asText("PYTORCH_JOB"));
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "kubernetes.kind", "expected PYTORCH_JOB or INDEXED_JOB, got '" + k.path("kind").asText() + "'");
            }
            int shmGi = JsonFiles.integer(file, "kubernetes.shared_memory_gi", k.get("shared_memory_gi"), 1, 4096, "GiB of /dev/shm");
            try {
                settings = new studio.app.cluster.KubernetesSettings(manifestKind, k.path("namespace").asText(""), k.path("image").asText(""),
                        k.path("image_pull_secret").asText(""), k.path("model_dir").asText(""), k.path("gpu_resource").asText(""),
                        k.path("volume_claim").asText(""), k.path("mount_path").asText(""), shmGi, lines(k.path("node_selector")), lines(k.path("environment")));
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "kubernetes", e.getMessage());
            }
        }
        return new Project.Kubernetes(kind, settings, root.path("kubernetes_manifest").asText(""));
    }

    private static List<String> lines(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(l -> out.add(l.asText()));
        return out;
    }

    private static String text(Path file, ObjectNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual()) throw new InputFileException(file, "settings." + key, "missing; expected a string");
        return v.asText();
    }

    /** Written after every change; removed when the project is saved or the studio closes cleanly. */
    public void writeRecovery(Project p) throws IOException {
        writeRecovery(p, null);
    }

    /** This instance's recovery of the project saved at {@code projectFile}; the instance's previous one goes. */
    public synchronized void writeRecovery(Project p, Path projectFile) throws IOException {
        ObjectNode root = toNode(p);
        ObjectNode r = root.putObject("recovery");
        r.put("owner_pid", owner.pid());
        r.put("owner_start", startOf(owner));
        if (projectFile != null) r.put("project_file", projectFile.toAbsolutePath().toString());
        r.put("written", java.time.Instant.now().toString());
        Path file = recoveryFile(projectFile);
        JsonFiles.writeAtomically(file, root.toPrettyString());
        if (ownRecovery != null && !ownRecovery.equals(file)) Files.deleteIfExists(ownRecovery);
        ownRecovery = file;
    }

    /** Removes this instance's recovery file (never another instance's). */
    public synchronized void clearRecovery() throws IOException {
        if (ownRecovery != null) Files.deleteIfExists(ownRecovery);
        ownRecovery = null;
    }

    /** Removes a recovery file the user chose not to restore. */
    public void discard(Recovery r) throws IOException {
        Files.deleteIfExists(r.file());
    }

    /**
     * The unsaved projects earlier instances left (not those of instances still running), newest first. A file that
     * cannot be read is moved aside into {@code recovery/broken} and named in {@link RecoveryScan#setAside}: it is
     * never overwritten or lost. Temporary files a crash left are removed.
     */
    public RecoveryScan scanRecovery() {
        JsonFiles.removeStaleTemporaryFiles(appDir);
        JsonFiles.removeStaleTemporaryFiles(recoveryDir());
        List<Path> files = new ArrayList<>();
        Path legacy = appDir.resolve("recovery.json");
        if (Files.isRegularFile(legacy)) files.add(legacy);
        if (Files.isDirectory(recoveryDir())) {
            try (var s = Files.list(recoveryDir())) {
                s.filter(f -> f.getFileName().toString().endsWith(".json") && Files.isRegularFile(f)).sorted().forEach(files::add);
            } catch (IOException e) {
                return new RecoveryScan(List.of(), List.of(recoveryDir() + ": cannot be listed (" + e.getMessage() + ")"));
            }
        }
        List<Recovery> found = new ArrayList<>();
        List<String> setAside = new ArrayList<>();
        for (Path f : files) {
            try {
                ObjectNode root = JsonFiles.readObject(f);
                JsonNode r = root.path("recovery");
                long pid = r.path("owner_pid").asLong(-1);
                boolean mine = pid == owner.pid() && r.path("owner_start").asText().equals(startOf(owner));
                boolean otherAlive = !mine && pid > 0 && ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                        .map(h -> startOf(h).equals(r.path("owner_start").asText())).orElse(false);
                if (otherAlive) continue;
                Project p = open(f, false);
                Path projectFile = r.hasNonNull("project_file") ? Path.of(r.path("project_file").asText()) : null;
                found.add(new Recovery(f, p, projectFile, r.path("written").asText(modified(f))));
            } catch (RuntimeException e) {
                setAside.add(setAside(f, e.getMessage()));
            }
        }
        found.sort((a, b) -> b.written().compareTo(a.written()));
        return new RecoveryScan(found, setAside);
    }

    private static String modified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toInstant().toString();
        } catch (IOException e) {
            return "";
        }
    }

    private String setAside(Path f, String why) {
        Path broken = recoveryDir().resolve("broken");
        Path target = broken.resolve(f.getFileName() + "." + System.currentTimeMillis());
        try {
            Files.createDirectories(broken);
            Files.move(f, target);
            return "A recovery file could not be read (" + why + "); it was kept as " + target;
        } catch (IOException e) {
            return "A recovery file could not be read (" + why + ") and could not be moved aside: " + f;
        }
    }

    /** The newest unsaved project earlier instances left, if any (see {@link #scanRecovery}). */
    public Project recover() {
        RecoveryScan scan = scanRecovery();
        return scan.found().isEmpty() ? null : scan.found().get(0).project();
    }

    public List<Path> recent() {
        Path f = appDir.resolve("recent.json");
        if (!Files.isRegularFile(f)) return List.of();
        try {
            JsonNode arr = JsonFiles.readObject(f).path("recent");
            List<Path> out = new ArrayList<>();
            for (JsonNode n : arr) out.add(Path.of(n.asText()));
            return out;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private void addRecent(Path file) {
        Path abs = file.toAbsolutePath();
        if (abs.startsWith(recoveryDir().toAbsolutePath())) return;
        List<Path> list = new ArrayList<>(recent());
        list.remove(abs);
        list.add(0, abs);
        while (list.size() > RECENT) list.remove(list.size() - 1);
        ObjectNode root = JsonFiles.mapper().createObjectNode();
        ArrayNode arr = root.putArray("recent");
        list.forEach(p -> arr.add(p.toString()));
        try {
            JsonFiles.writeAtomically(appDir.resolve("recent.json"), root.toPrettyString());
        } catch (IOException e) {
            // the recent list is a convenience; a read-only home must not stop saving the project
        }
    }

    /**
     * Writes the plan as its target runtime reads it: v2's config (with cp_sizes_enc), or 3.0's with the keys its
     * runtime reads and its search omits (cp_sizes_enc, vcp, vocab_sdp), named as each Galvatron names its configs.
     */
    public static Path exportConfig(Path dir, PlanningContext ctx, studio.engine.plan.ParallelPlan plan) throws IOException {
        ClusterSettings s = ctx.settings();
        Path file = s.target() == studio.engine.plan.TargetRuntime.GALVATRON_V3
                ? dir.resolve(studio.engine.plan.v3.Galvatron3Config.fileName(ctx.yaml() != null ? ctx.yaml().settings().modelName()
                        : ctx.model().profileName(), s.nodes(), s.gpusPerNode(), s.memoryGb(), s.mixedPrecision(), plan.globalBatch(), false, false,
                        false, false, false))
                : dir.resolve(GalvatronConfig.fileName(ctx.model().profileName(), s.nodes(), s.gpusPerNode(), s.memoryGb(), s.mixedPrecision(),
                        plan.globalBatch(), List.of()));
        JsonFiles.writeAtomically(file, studio.engine.plan.v3.Galvatron3Config.forTarget(plan, s.target(), s.worldSize()));
        return file;
    }
}
