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
    public static String clusterKey(String gpu, int nodes, int gpusPerNode) {
        return gpu + " " + nodes + "x" + gpusPerNode;
    }
}
