package studio.app.cluster;

/**
 * A run the studio started on a node, kept with the project so it can be re-attached after a restart, with what was
 * measured against what the plan predicted.
 *
 * @param lastSeq              the last event seen (re-attach continues after it)
 * @param measuredIterationS   median iteration time measured (iterations 5 and later), 0 when none yet
 * @param predictedIterationS  the plan's estimate
 */
public record RemoteRun(String host, int port, String user, String keyFile, int rank, String runId, long lastSeq,
                        double measuredIterationS, double predictedIterationS, double measuredPeakMemoryMb, String state) {
    public ClusterHost clusterHost() {
        return new ClusterHost(host, port, user, keyFile == null || keyFile.isBlank() ? null : java.nio.file.Path.of(keyFile));
    }

    public RemoteRun withState(String newState) {
        return new RemoteRun(host, port, user, keyFile, rank, runId, lastSeq, measuredIterationS, predictedIterationS, measuredPeakMemoryMb,
                newState);
    }
}
