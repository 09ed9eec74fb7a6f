package studio.app.remote;

import studio.engine.launch.ShellWords;
import studio.engine.protocol.RunnerEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/** Drives the runner on a node over an {@link SshConnection}: upload, env, train, follow, stop, list. */
public final class RunnerClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path localJar;
    private final String remoteBase;

    /**
     * @param localJar   the runner's standalone jar
     * @param remoteBase the studio's folder on the nodes ({@code ~/.galvatron-studio} by default)
     */
    public RunnerClient(Path localJar, String remoteBase) {
        this.localJar = localJar;
        this.remoteBase = remoteBase;
    }

    /** A run the runner refused before starting anything, with its reasons. */
    public static final class RunRefusedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        RunRefusedException(String host, List<String> problems) {
            super(host + " refused the run: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }

    /** The base folder on the node, with {@code ~} expanded there (a quoted ~ would not be). */
    public String base(SshConnection c) throws IOException {
        if (remoteBase.equals("~") || remoteBase.startsWith("~/")) {
            String home = homes.get(c);
            if (home == null) {
                home = c.run("printf %s \"$HOME\"", 30).strip();
                homes.put(c, home);
            }
            return home + remoteBase.substring(1);
        }
        return remoteBase;
    }

    private final java.util.Map<SshConnection, String> homes = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    public String remoteJar(SshConnection c) throws IOException {
        return base(c) + "/remote-runner.jar";
    }

    /** Uploads the runner unless the node already has the same jar; true when it uploaded. */
    public boolean ensureRunner(SshConnection c) throws IOException {
        String jar = remoteJar(c);
        String local = sha256(localJar);
        String remote = c.run("sha256sum " + ShellWords.quote(jar) + " 2>/dev/null || true", 120).strip();
        if (remote.startsWith(local)) return false;
        c.upload(localJar, jar);
        return true;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String runner(SshConnection c, List<String> args) throws IOException {
        return runner(c, args, List.of());
    }

    /** A runner command line: options, then {@code --} and the positional arguments (a run id never reads as an option). */
    private String runner(SshConnection c, List<String> args, List<String> positional) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", remoteJar(c)));
        cmd.addAll(args);
        cmd.addAll(List.of("--runs-dir", base(c) + "/runs"));
        if (!positional.isEmpty()) {
            cmd.add("--");
            cmd.addAll(positional);
        }
        return ShellWords.command(cmd);
    }

    /**
     * Runs a runner command, handing each event to {@code each} as it comes; when it exits non-zero, the message says
     * why, from the runner's own error and refusal events (it writes them on stdout) and its stderr.
     */
    private void stream(SshConnection c, String command, long timeoutSeconds, String what, Consumer<JsonNode> each) throws IOException {
        List<String> why = new ArrayList<>();
        StringBuilder err = new StringBuilder();
        int code = c.exec(command, line -> {
            if (line.isBlank()) return;
            JsonNode e = parse(line);
            RunnerEvent kind = RunnerEvent.of(e);
            if (kind == RunnerEvent.ERROR) why.add(e.path("message").asText(e.path("line").asText()));
            if (kind == RunnerEvent.REFUSED) why.addAll(problems(e));
            each.accept(e);
        }, l -> {
            if (err.length() < 4000) err.append(l).append('\n');
        }, timeoutSeconds);
        if (code != 0) {
            if (!err.toString().isBlank()) why.add(err.toString().strip());
            throw new IOException(c.host() + ": " + what + " exited " + code + ": " + (why.isEmpty() ? "(it printed no reason)" : String.join("; ", why)));
        }
    }

    /** A runner command's events, once it has ended. */
    private List<JsonNode> call(SshConnection c, String command, long timeoutSeconds) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        stream(c, command, timeoutSeconds, "the runner", events::add);
        return events;
    }

    private static List<String> problems(JsonNode refused) {
        List<String> out = new ArrayList<>();
        refused.path("problems").forEach(p -> out.add(p.asText()));
        return out;
    }

    public List<JsonNode> env(SshConnection c) throws IOException {
        return call(c, runner(c, List.of("env")), 300);
    }

    /** Starts node {@code rank}'s part of a run, detached on the node; returns the run's id there. */
    public String launch(SshConnection c, TrainRequest req, int rank, int nnodes, String masterAddr, Path localConfig) throws IOException {
        String remoteConfig = null;
        if (localConfig != null) {
            remoteConfig = base(c) + "/configs/" + localConfig.getFileName();
            c.upload(localConfig, remoteConfig);
        }
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(req.args(rank, nnodes, masterAddr, remoteConfig));
        List<JsonNode> events = new ArrayList<>();
        StringBuilder err = new StringBuilder();
        c.exec(runner(c, args), line -> events.add(parse(line)), l -> err.append(l).append('\n'), 300);
        for (JsonNode e : events) {
            if (RunnerEvent.of(e) == RunnerEvent.REFUSED) throw new RunRefusedException(c.host().toString(), problems(e));
            if (RunnerEvent.of(e) == RunnerEvent.LAUNCHED) return e.path("run").asText();
            if (RunnerEvent.of(e) == RunnerEvent.ERROR) throw new IOException(c.host() + ": " + e.path("message").asText());
        }
        throw new IOException(c.host() + ": the runner did not start the run (" + err.toString().strip() + ")");
    }

    /** Streams a run's events after {@code fromSeq} until it ends; an IOException means the connection dropped. */
    public void follow(SshConnection c, String run, long fromSeq, Consumer<JsonNode> events) throws IOException {
        stream(c, runner(c, List.of("follow", "--from", String.valueOf(fromSeq)), List.of(run)), 7 * 24 * 3600, "following " + run, events);
    }

    /**
     * Runs {@code profile-hardware} or {@code profile-model} on the node, streaming its events, and returns the paths
     * of the files it wrote there. An interrupted profile resumes when run again with the same arguments.
     */
    public List<String> profile(SshConnection c, List<String> args, Consumer<JsonNode> events) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", remoteJar(c)));
        cmd.addAll(args);
        List<String> files = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        stream(c, ShellWords.command(cmd), 7 * 24 * 3600, "the profiler", e -> {
            switch (RunnerEvent.of(e)) {
                case PROFILE_FINISHED -> e.path("files").forEach(f -> files.add(f.asText()));
                case ERROR -> errors.add(e.path("message").asText(e.path("line").asText()));
                default -> { }
            }
            events.accept(e);
        });
        // a profile that reported an error has not measured what it should, even when it exited 0
        if (!errors.isEmpty()) throw new IOException(c.host() + ": " + String.join("; ", errors));
        return files;
    }

    /**
     * Stops this studio's profiles on the node (TERM; the runner takes its Python processes with it). What they
     * measured is kept, so running the same profile again resumes.
     */
    public void cancelProfiles(SshConnection c) throws IOException {
        String pattern = "-jar " + remoteJar(c) + " profile-";
        c.run("pkill -TERM -f -- " + ShellWords.quote(extendedRegexLiteral(pattern)) + " || true", 60);
    }

    /** {@code s} as a POSIX extended regular expression matching itself (what pkill takes). */
    static String extendedRegexLiteral(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if ("\\.[]()*+?{}|^$".indexOf(ch) >= 0) b.append('\\');
            b.append(ch);
        }
        return b.toString();
    }

    /** Where profiles are written on the node. */
    public String profileDir(SshConnection c, String what) throws IOException {
        return base(c) + "/profiles/" + what;
    }

    /** Copies a model description to the node for {@code profile-model}; returns its path there. */
    public String uploadModelConfig(SshConnection c, Path local) throws IOException {
        String remote = base(c) + "/profiles/models/" + local.getFileName();
        c.upload(local, remote);
        return remote;
    }

    public JsonNode status(SshConnection c, String run) throws IOException {
        List<JsonNode> events = call(c, runner(c, List.of("status"), List.of(run)), 120);
        return events.stream().filter(e -> RunnerEvent.of(e) == RunnerEvent.STATUS).findFirst()
                .orElseThrow(() -> new IOException(c.host() + ": the runner printed no status for " + run));
    }

    public void stop(SshConnection c, String run) throws IOException {
        call(c, runner(c, List.of("stop"), List.of(run)), 120);
    }

    public List<JsonNode> list(SshConnection c) throws IOException {
        return call(c, runner(c, List.of("list")), 120);
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return JSON.createObjectNode().put(RunnerEvent.FIELD, RunnerEvent.OUTPUT.wireName()).put("line", line);
        }
    }
}
