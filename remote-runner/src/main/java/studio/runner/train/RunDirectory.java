package studio.runner.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run's own folder on the node: the config, the exact command, its environment, the pid, the log and the exit
 * code, so a run outlives the SSH session that started it and can be re-attached.
 *
 * <p>A run only ever signals the process it started: the pid must be above 1, lead its own process group, have the
 * start time recorded when the run began and run this folder's {@code command.sh} (as job supervisors check before
 * they signal), so a stale, edited or foreign pid file never reaches another process.
 */
public final class RunDirectory {
    /** What a run id may look like: the runner's own ids, never a path, never an option. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path dir;

    public RunDirectory(Path dir) {
        this.dir = dir;
    }

    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".galvatron-studio", "runs");
    }

    /**
     * The folder of run {@code id} under {@code root}, refusing ids that are not the runner's (a path, {@code ..}, an
     * option) and folders that lead outside {@code root} through a link.
     */
    public static RunDirectory resolve(Path root, String id) {
        if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException("run id '" + id + "': expected the runner's id (letters, digits, '.', '_', '-'; "
                    + "no path), as `list` prints it");
        }
        Path base = root.toAbsolutePath().normalize();
        Path dir = base.resolve(id).normalize();
        if (!base.equals(dir.getParent())) throw new IllegalArgumentException("run id '" + id + "': not a folder of " + base);
        try {
            if (Files.exists(dir) && !dir.toRealPath().getParent().equals(base.toRealPath())) {
                throw new IllegalArgumentException("run id '" + id + "': its folder links outside " + base + "; refusing it");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("run id '" + id + "': cannot be read under " + base + " (" + e.getMessage() + ")");
        }
        return new RunDirectory(dir);
    }

    public Path dir() { return dir; }

    public String id() { return dir.getFileName().toString(); }

    public Path log() { return dir.resolve("train.log"); }

    public Path command() { return dir.resolve("command.sh"); }

    public Path pidFile() { return dir.resolve("pid"); }

    public Path exitFile() { return dir.resolve("exit_code"); }

    public Path info() { return dir.resolve("run.json"); }

    /** Run folders under {@code root}, sorted; folders that are not runs are left out. */
    public static List<RunDirectory> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            List<RunDirectory> out = new ArrayList<>();
            s.filter(p -> Files.isRegularFile(p.resolve("run.json")) && ID.matcher(p.getFileName().toString()).matches())
                    .sorted().forEach(p -> out.add(new RunDirectory(p)));
            return out;
        }
    }

    public ObjectNode readInfo() {
        return JsonFiles.readObject(info());
    }

    public void writeInfo(ObjectNode info) throws IOException {
        JsonFiles.writeAtomically(info(), info.toPrettyString());
    }

    /** The pid the run's shell wrote, or -1 when there is none yet or the file does not hold a pid. */
    public long pid() throws IOException {
        if (!Files.isRegularFile(pidFile())) return -1;
        String text = Files.readString(pidFile(), StandardCharsets.UTF_8).strip();
        if (!text.matches("[0-9]{1,10}")) return -1;
        return Long.parseLong(text);
    }

    /** The exit code the run's shell wrote; null while it runs (or when the file does not hold a number). */
    public Integer exitCode() throws IOException {
        if (!Files.isRegularFile(exitFile())) return null;
        String text = Files.readString(exitFile(), StandardCharsets.UTF_8).strip();
        return text.matches("-?[0-9]{1,9}") ? Integer.valueOf(text) : null;
    }

    /**
     * Records which process this run is, once its shell has written its pid: the pid, its start time and its command
     * line, so later signals reach it and nothing else.
     */
    public void recordProcess(ObjectNode info, long pid) throws IOException {
        Optional<ProcessIdentity> p = ProcessIdentity.of(pid);
        if (p.isEmpty()) return;
        ObjectNode proc = info.putObject("process");
        proc.put("pid", pid);
        proc.put("start_ticks", p.get().startTicks());
        writeInfo(info);
    }

    /** True when {@code pid} is this run's process (see the class comment). */
    boolean ownsProcess(long pid) {
        if (pid <= 1) return false;
        Optional<ProcessIdentity> p = ProcessIdentity.of(pid);
        if (p.isEmpty()) return false;
        ProcessIdentity proc = p.get();
        if (proc.processGroup() != pid) return false;
        if (!proc.commandLine().contains(command().toAbsolutePath().toString())) return false;
        try {
            JsonNode recorded = readInfo().path("process");
            if (recorded.isObject()) {
                return recorded.path("pid").asLong() == pid && recorded.path("start_ticks").asLong() == proc.startTicks();
            }
        } catch (RuntimeException e) {
            return false;
        }
        return true;
    }

    /** The run's process, when it is alive and is the one this run started. */
    public Optional<Long> process() throws IOException {
        if (exitCode() != null) return Optional.empty();
        long pid = pid();
        return ownsProcess(pid) ? Optional.of(pid) : Optional.empty();
    }

    public boolean alive() throws IOException {
        return process().isPresent();
    }

    /** running, finished, failed, stopped, starting or corrupt. */
    public String state() throws IOException {
        Integer code = exitCode();
        if (code != null) {
            if (Files.exists(dir.resolve("stopped"))) return "stopped";
            return code == 0 ? "finished" : "failed";
        }
        if (Files.isRegularFile(exitFile())) return "corrupt";
        if (alive()) return "running";
        // an empty pid file is the moment between the shell creating it and writing it
        if (Files.isRegularFile(pidFile()) && pid() <= 0 && !Files.readString(pidFile(), StandardCharsets.UTF_8).isBlank()) return "corrupt";
        return pid() > 0 ? "failed" : "starting";
    }

    public void markStopped() throws IOException {
        Files.writeString(dir.resolve("stopped"), Instant.now().toString());
    }

    /** What {@code /proc} says of a process: its group, start time (clock ticks after boot) and command line. */
    record ProcessIdentity(long processGroup, long startTicks, String commandLine) {
        static Optional<ProcessIdentity> of(long pid) {
            if (pid <= 1) return Optional.empty();
            Path proc = Path.of("/proc", Long.toString(pid));
            try {
                String stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
                // the command name in parentheses may hold spaces: the fields start after the last ')'
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                if (f[0].equals("Z")) return Optional.empty();
                String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                return Optional.of(new ProcessIdentity(Long.parseLong(f[2]), Long.parseLong(f[19]), cmd));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
