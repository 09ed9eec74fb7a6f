package studio.app.cluster;

import studio.engine.calibration.TimeTerms;

/**
 * What the plan predicted for a run, kept so the run can calibrate the cost model once measured.
 *
 * @param clusterKey the cluster it ran on (GPU, nodes x GPUs per node): calibration is per cluster
 * @param terms      the predicted iteration, term by term
 * @param peakMb     the plan's largest stage memory
 */
public record RunPrediction(String clusterKey, TimeTerms terms, double peakMb) {
    /** A plan's estimate on a cluster, as a run of it is later compared with. */
    public static RunPrediction of(String gpu, int nodes, int gpusPerNode, studio.engine.cost.PlanEstimate e) {
        return new RunPrediction(clusterKey(gpu, nodes, gpusPerNode), TimeTerms.of(e), e.memory().stream().mapToDouble(m -> m.totalMb()).max().orElse(0));
    }

    public static String clusterKey(String gpu, int nodes, int gpusPerNode) {
        return gpu + " " + nodes + "x" + gpusPerNode;
    }
}
