package studio.runner.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A run's own folder on the node: the config, the exact command, its environment, the pid, the log and the exit
 * code, so a run outlives the SSH session that started it and can be re-attached.
 */
public final class RunDirectory {
    private final Path dir;

    public RunDirectory(Path dir) {
        this.dir = dir;
    }

    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".galvatron-studio", "runs");
    }

    public Path dir() { return dir; }

    public String id() { return dir.getFileName().toString(); }

    public Path log() { return dir.resolve("train.log"); }

    public Path command() { return dir.resolve("command.sh"); }

    public Path pidFile() { return dir.resolve("pid"); }

    public Path exitFile() { return dir.resolve("exit_code"); }

    public Path info() { return dir.resolve("run.json"); }

    public static List<RunDirectory> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            List<RunDirectory> out = new ArrayList<>();
            s.filter(p -> Files.isRegularFile(p.resolve("run.json"))).sorted().forEach(p -> out.add(new RunDirectory(p)));
            return out;
        }
    }

    public ObjectNode readInfo() {
        return JsonFiles.readObject(info());
    }

    public void writeInfo(ObjectNode info) throws IOException {
        JsonFiles.writeAtomically(info(), info.toPrettyString());
    }

    public long pid() throws IOException {
        return Files.isRegularFile(pidFile()) ? Long.parseLong(Files.readString(pidFile()).strip()) : -1;
    }

    public Integer exitCode() throws IOException {
        return Files.isRegularFile(exitFile()) && !Files.readString(exitFile()).isBlank()
                ? Integer.parseInt(Files.readString(exitFile()).strip()) : null;
    }

    public boolean alive() throws IOException {
        long pid = pid();
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && exitCode() == null;
    }

    /** running, finished, failed, stopped or starting. */
    public String state() throws IOException {
        Integer code = exitCode();
        if (code != null) {
            if (Files.exists(dir.resolve("stopped"))) return "stopped";
            return code == 0 ? "finished" : "failed";
        }
        if (alive()) return "running";
        return pid() > 0 ? "failed" : "starting";
    }

    public void markStopped() throws IOException {
        Files.writeString(dir.resolve("stopped"), Instant.now().toString());
    }
}
