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

    /** @param appDir the studio's own folder (normally ~/.galvatron-studio) */
    public ProjectStore(Path appDir) {
        this.appDir = appDir;
    }

    public static Path defaultAppDir() {
        return Path.of(System.getProperty("user.home"), ".galvatron-studio");
    }

    public Path recoveryFile() { return appDir.resolve("recovery.json"); }

    public String toJson(Project p) {
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
        ArrayNode plans = root.putArray("plans");
        for (Project.NamedPlan np : p.plans()) {
            ObjectNode o = plans.addObject();
            o.put("name", np.name());
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
        }
        return root.toPrettyString();
    }

    public void save(Path file, Project p) throws IOException {
        JsonFiles.writeAtomically(file, toJson(p));
        addRecent(file);
    }

    public Project open(Path file) {
        ObjectNode root = JsonFiles.readObject(file);
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.asText())) {
            throw new InputFileException(file, "format", "expected \"" + FORMAT + "\"; not a Galvatron Studio project");
        }
        ObjectNode st = JsonFiles.object(file, root, "settings", null);
        ClusterSettings s;
        try {
            s = new ClusterSettings(text(file, st, "model"), (int) JsonFiles.number(file, st, "num_nodes", "settings"),
                    (int) JsonFiles.number(file, st, "num_gpus_per_node", "settings"),
                    (int) JsonFiles.number(file, st, "memory_constraint", "settings"), text(file, st, "mixed_precision"),
                    PipelineType.parse(text(file, st, "pipeline_type")), DpType.parse(text(file, st, "default_dp_type")),
                    st.path("sequence_parallel").asBoolean(false), SpSpace.parse(st.path("sp_space").asText("tp")),
                    studio.engine.estimate.GpuCatalog.gpu(st.path("gpu").asText(ClusterSettings.MEASURED_GPU)).id());
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
            plans.add(new Project.NamedPlan(n.path("name").asText("plan"),
                    GalvatronConfig.parse(file, cfg, s.worldSize(), s.pipelineType(), s.defaultDpType()).plan()));
        }
        List<studio.app.remote.ClusterHost> hosts = new ArrayList<>();
        for (JsonNode h : root.path("hosts")) {
            try {
                hosts.add(new studio.app.remote.ClusterHost(h.path("host").asText(), h.path("port").asInt(22), h.path("user").asText(),
                        h.path("key_file").asText("").isBlank() ? null : Path.of(h.path("key_file").asText())));
            } catch (IllegalArgumentException e) {
                throw new InputFileException(file, "hosts", e.getMessage());
            }
        }
        List<studio.app.remote.RemoteRun> runs = new ArrayList<>();
        for (JsonNode r : root.path("runs")) {
            runs.add(new studio.app.remote.RemoteRun(r.path("host").asText(), r.path("port").asInt(22), r.path("user").asText(),
                    r.path("key_file").asText(), r.path("rank").asInt(), r.path("run").asText(), r.path("last_event").asLong(),
                    r.path("measured_iteration_s").asDouble(), r.path("predicted_iteration_s").asDouble(),
                    r.path("measured_peak_memory_mb").asDouble(), r.path("state").asText("unknown")));
        }
        addRecent(file);
        return new Project(s, plans, root.path("notes").asText(""), hosts, runs);
    }

    private static String text(Path file, ObjectNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual()) throw new InputFileException(file, "settings." + key, "missing; expected a string");
        return v.asText();
    }

    /** Written after every change; removed when the project is saved or the studio closes cleanly. */
    public void writeRecovery(Project p) throws IOException {
        JsonFiles.writeAtomically(recoveryFile(), toJson(p));
    }

    public void clearRecovery() throws IOException {
        Files.deleteIfExists(recoveryFile());
    }

    /** The unsaved project left by a crash, if any. */
    public Project recover() {
        if (!Files.isRegularFile(recoveryFile())) return null;
        try {
            ObjectNode root = JsonFiles.readObject(recoveryFile());
            if (!FORMAT.equals(root.path("format").asText())) return null;
            return open(recoveryFile());
        } catch (RuntimeException e) {
            return null;
        }
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
        if (abs.equals(recoveryFile().toAbsolutePath())) return;
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

    /** Exports a plan as Galvatron names it; returns the file written. */
    public static Path exportConfig(Path dir, PlanningContext ctx, studio.engine.plan.ParallelPlan plan) throws IOException {
        ClusterSettings s = ctx.settings();
        Path file = dir.resolve(GalvatronConfig.fileName(ctx.model().profileName(), s.nodes(), s.gpusPerNode(), s.memoryGb(),
                s.mixedPrecision(), plan.globalBatch(), List.of()));
        GalvatronConfig.write(file, plan);
        return file;
    }
}
