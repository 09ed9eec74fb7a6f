package studio.app.cluster;

/**
 * A run the studio started on a node, kept with the project so it can be re-attached after a restart, with what was
 * measured against what the plan predicted.
 *
 * @param lastSeq              the last event seen (re-attach continues after it)
 * @param measuredIterationS   median iteration time measured (iterations 5 and later), 0 when none yet
 * @param predictedIterationS  the plan's estimate
 * @param prediction           the plan's estimate term by term, for calibration (null: the smoke trainer, or a run from before)
 */
public record RemoteRun(String host, int port, String user, String keyFile, int rank, String runId, long lastSeq,
                        double measuredIterationS, double predictedIterationS, double measuredPeakMemoryMb, String state, RunPrediction prediction) {
    public RemoteRun(String host, int port, String user, String keyFile, int rank, String runId, long lastSeq, double measuredIterationS,
                     double predictedIterationS, double measuredPeakMemoryMb, String state) {
        this(host, port, user, keyFile, rank, runId, lastSeq, measuredIterationS, predictedIterationS, measuredPeakMemoryMb, state, null);
    }

    public ClusterHost clusterHost() {
        return new ClusterHost(host, port, user, keyFile == null || keyFile.isBlank() ? null : java.nio.file.Path.of(keyFile));
    }

    public RemoteRun withState(String newState) {
        return new RemoteRun(host, port, user, keyFile, rank, runId, lastSeq, measuredIterationS, predictedIterationS, measuredPeakMemoryMb,
                newState, prediction);
    }

    /** The run after more of its events: the last one seen, what is measured so far, its state. */
    public RemoteRun withProgress(long seq, double measuredS, double peakMb, String newState) {
        return new RemoteRun(host, port, user, keyFile, rank, runId, seq, measuredS, predictedIterationS, peakMb, newState, prediction);
    }

    public RemoteRun withPrediction(RunPrediction p) {
        return new RemoteRun(host, port, user, keyFile, rank, runId, lastSeq, measuredIterationS, predictedIterationS, measuredPeakMemoryMb, state, p);
    }

    /** This run shown again: what the earlier entry had measured and predicted is kept where this one has nothing yet. */
    public RemoteRun over(RemoteRun earlier) {
        return new RemoteRun(host, port, user, keyFile, rank, runId, Math.max(lastSeq, earlier.lastSeq),
                measuredIterationS > 0 ? measuredIterationS : earlier.measuredIterationS, predictedIterationS > 0 ? predictedIterationS : earlier.predictedIterationS,
                measuredPeakMemoryMb > 0 ? measuredPeakMemoryMb : earlier.measuredPeakMemoryMb, state, prediction != null ? prediction : earlier.prediction);
    }

    /** Whether the run measured what calibration compares with its prediction. */
    public boolean calibrates() { return prediction != null && measuredIterationS > 0; }
}
