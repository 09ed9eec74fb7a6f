package studio.app.slurm;

import studio.app.cluster.SlurmSettings;
import studio.app.cluster.JobState;
import studio.app.cluster.SlurmJob;
import studio.app.remote.RunnerClient;
import studio.engine.launch.ShellWords;
import studio.app.remote.SshConnection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Slurm through the login node, over one {@link SshConnection}: the runner copied once to the shared folder, a job's
 * files written and {@code sbatch --parsable} run, its state from {@code squeue} (pending reason and expected start)
 * and once it has left the queue from {@code sacct --parsable2} or, where accounting is off, {@code scontrol show
 * job}; {@code scancel}, {@code scontrol requeue}, and the job's files read as they grow. Slurm's own error lines are
 * what a failure says.
 */
public final class SlurmClient {
    private final SlurmSettings settings;
    private final RunnerClient runner;

    /** @param localRunnerJar the runner's standalone jar, copied to the shared folder once (and again when it changes) */
    public SlurmClient(SlurmSettings settings, Path localRunnerJar) {
        this.settings = settings;
        this.runner = new RunnerClient(localRunnerJar, settings.workDir());
    }

    public SlurmSettings settings() { return settings; }

    /** The working folder with {@code ~} expanded on the login node. */
    public String workDir(SshConnection c) throws IOException {
        return runner.base(c);
    }

    /** The runner on the shared folder (uploaded unless the same jar is there). */
    public String ensureRunner(SshConnection c) throws IOException {
        runner.ensureRunner(c);
        return runner.remoteJar(c);
    }

    /** A new job folder under the working folder, named by time and job name. */
    public String newJobDir(SshConnection c, String name) throws IOException {
        String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        return workDir(c) + "/jobs/" + stamp + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** A login-node command with the site's setup lines first. */
    String command(String slurmCommand) {
        if (settings.loginSetup().isEmpty()) return slurmCommand;
        return String.join(" && ", settings.loginSetup()) + " && " + slurmCommand;
    }

    /**
     * Writes the script (and the plan's config beside it) into {@code jobDir} and submits it.
     *
     * @return the job id {@code sbatch --parsable} printed
     * @throws IOException with Slurm's own message when it refuses the job
     */
    public String submit(SshConnection c, String jobDir, String script, String configJson) throws IOException {
        upload(c, script, jobDir + "/job.sbatch");
        if (configJson != null) upload(c, configJson, jobDir + "/galvatron_config.json");
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int code = c.exec(command("cd " + ShellWords.quote(jobDir) + " && sbatch --parsable job.sbatch"), l -> out.append(l).append('\n'),
                l -> err.append(l).append('\n'), 120);
        if (code != 0) throw new IOException("Slurm refused the job: " + slurmMessage(err.toString(), out.toString()));
        String id = out.toString().strip();
        // --parsable prints "id" or "id;cluster"
        if (id.contains(";")) id = id.substring(0, id.indexOf(';'));
        if (!id.matches("\\d+(_\\d+)?")) throw new IOException("sbatch printed no job id: '" + out.toString().strip() + "' " + err.toString().strip());
        return id;
    }

    /** Slurm's own error lines ("sbatch: error: ..."), without the repeated prefix. */
    static String slurmMessage(String err, String out) {
        List<String> lines = new ArrayList<>();
        for (String l : (err + "\n" + out).split("\n")) {
            String t = l.strip();
            // an SSH server's own debug lines are not Slurm's
            if (t.isEmpty() || t.startsWith("debug1:") || t.startsWith("debug2:") || t.startsWith("debug3:")) continue;
            lines.add(t.replaceFirst("^(sbatch|squeue|scancel|scontrol|sacct): error: ", ""));
        }
        return lines.isEmpty() ? "(it printed no reason)" : String.join("; ", lines);
    }

    private static void upload(SshConnection c, String text, String remote) throws IOException {
        Path tmp = Files.createTempFile("gstudio-slurm", ".txt");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            c.upload(tmp, remote);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The job's state now; while queued, squeue's reason and (expected) start time. */
    public SlurmJob refresh(SshConnection c, SlurmJob job) throws IOException {
        String id = ShellWords.quote(job.jobId());
        String queued = c.run(command("squeue -h -j " + id + " -o '%i|%T|%r|%S' 2>/dev/null || true"), 60).strip();
        for (String line : queued.split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length >= 4 && f[0].equals(job.jobId())) {
                JobState state = JobState.parse(f[1]);
                return job.with(state, f[2].equals("None") ? "" : f[2], f[3], state.ended() ? job.exitCode() : "");
            }
        }
        // left the queue: accounting knows how it ended; without it, scontrol does for a while (MinJobAge)
        StringBuilder out = new StringBuilder();
        int code = c.exec(command("sacct -n -X -P -j " + id + " -o JobID,State,ExitCode,Start,Reason"), l -> out.append(l).append('\n'),
                l -> { }, 60);
        if (code == 0) {
            for (String line : out.toString().split("\n")) {
                String[] f = line.strip().split("\\|", -1);
                if (f.length >= 5 && f[0].equals(job.jobId())) {
                    return job.with(JobState.parse(f[1]), f[4].equals("None") ? "" : f[4], f[3], f[2]);
                }
            }
        }
        String shown = c.run(command("scontrol show job -o " + id + " 2>/dev/null || true"), 60);
        if (!shown.contains("JobState=")) return job.with(JobState.UNKNOWN, "Slurm no longer knows the job (accounting is off and it ended a while ago)",
                job.expectedStart(), job.exitCode());
        return job.with(JobState.parse(field(shown, "JobState")), reasonOf(field(shown, "Reason")), field(shown, "StartTime"),
                field(shown, "ExitCode"));
    }

    private static String reasonOf(String r) {
        return r == null || r.equals("None") ? "" : r;
    }

    /** A {@code Key=value} field of {@code scontrol show -o} (values have no spaces there, but Command= may). */
    static String field(String shown, String key) {
        for (String token : shown.strip().split("\\s+")) {
            if (token.startsWith(key + "=")) return token.substring(key.length() + 1);
        }
        return "";
    }

    public void cancel(SshConnection c, String jobId) throws IOException {
        runSlurm(c, "scancel " + ShellWords.quote(jobId), "scancel");
    }

    /** Puts an ended or running job back in the queue (Slurm refuses jobs that cannot be requeued, and says why). */
    public void requeue(SshConnection c, String jobId) throws IOException {
        runSlurm(c, "scontrol requeue " + ShellWords.quote(jobId), "scontrol requeue");
    }

    private void runSlurm(SshConnection c, String cmd, String what) throws IOException {
        StringBuilder err = new StringBuilder();
        StringBuilder out = new StringBuilder();
        int code = c.exec(command(cmd), l -> out.append(l).append('\n'), l -> err.append(l).append('\n'), 60);
        if (code != 0) throw new IOException(what + " failed: " + slurmMessage(err.toString(), out.toString()));
    }

    /** The complete lines a growing file holds after its first {@code from} bytes, and where the next read starts. */
    public record Lines(List<String> lines, long nextFrom) {
    }

    /** A partial last line (still being written) is left for the next read. */
    public Lines readLines(SshConnection c, String file, long from) throws IOException {
        List<String> got = new ArrayList<>();
        // the marker tells a complete last line (an empty line before it) from a partial one
        // at most a MiB a read: a fast run's events come over in pieces, and the cut line is read again next time
        c.exec("tail -c +" + (from + 1) + " " + ShellWords.quote(file) + " 2>/dev/null | head -c " + MAX_READ + "; echo; echo " + END, got::add,
                l -> { }, 60);
        int end = got.lastIndexOf(END);
        if (end < 1) return new Lines(List.of(), from);
        // the line before the marker is echo's empty one after a complete last line, or the partial line it ended
        List<String> complete = new ArrayList<>(got.subList(0, end - 1));
        long next = from;
        for (String line : complete) next += line.getBytes(StandardCharsets.UTF_8).length + 1;
        return new Lines(complete, next);
    }

    private static final String END = "__gstudio_end_of_read__";
    private static final int MAX_READ = 1 << 20;

    /** The last lines of the job's output, for a failed job's message. */
    public String outputTail(SshConnection c, SlurmJob job, int lines) throws IOException {
        return c.run("tail -n " + lines + " " + ShellWords.quote(job.outputFile()) + " 2>/dev/null || true", 60).strip();
    }
}
