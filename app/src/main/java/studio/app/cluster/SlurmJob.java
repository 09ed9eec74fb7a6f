package studio.app.cluster;

/**
 * A submitted job as the studio tracks it (saved with the project, so it is followed again after a restart).
 *
 * @param jobId         what {@code sbatch --parsable} printed
 * @param jobDir        the job's folder on the shared filesystem (script, config, output, events, runs)
 * @param reason        why it waits (squeue's reason), or why it ended
 * @param expectedStart squeue's start time: expected while pending, actual once started ("N/A" when not known)
 * @param exitCode      {@code code:signal} once ended, else empty
 * @param eventsRead    bytes of node 0's events already shown
 * @param predictedIterationS the plan's iteration time (0 for the smoke trainer)
 * @param kind          training, or a profile whose files come home when it ends
 * @param script        the batch script as submitted (the user's edits included), kept with the project
 */
public record SlurmJob(String jobId, String name, String jobDir, JobState state, String reason, String expectedStart, String exitCode,
                       long eventsRead, double predictedIterationS, JobKind kind, String script) {
    public SlurmJob {
        kind = kind == null ? JobKind.TRAINING : kind;
        script = script == null ? "" : script;
    }

    /** A training job. */
    public SlurmJob(String jobId, String name, String jobDir, JobState state, String reason, String expectedStart, String exitCode,
                    long eventsRead, double predictedIterationS) {
        this(jobId, name, jobDir, state, reason, expectedStart, exitCode, eventsRead, predictedIterationS, JobKind.TRAINING, "");
    }

    public String scriptFile() { return jobDir + "/job.sbatch"; }

    public String outputFile() { return jobDir + "/slurm-" + jobId + ".out"; }

    /** Node 0's runner events (the same JSON lines as an SSH run's). */
    public String eventsFile() { return jobDir + "/node-0.events"; }

    public SlurmJob with(JobState newState, String newReason, String start, String code) {
        return new SlurmJob(jobId, name, jobDir, newState, newReason, start, code, eventsRead, predictedIterationS, kind, script);
    }

    public SlurmJob withEventsRead(long bytes) {
        return new SlurmJob(jobId, name, jobDir, state, reason, expectedStart, exitCode, bytes, predictedIterationS, kind, script);
    }

    /** The exit status of the batch script (the part before the signal), or null while it runs. */
    public Integer exitStatus() {
        if (exitCode == null || exitCode.isBlank()) return null;
        try {
            return Integer.parseInt(exitCode.split(":")[0].strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
