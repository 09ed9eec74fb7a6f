package studio.engine.cost;

import java.util.List;

/**
 * Galvatron v2's closed-form pipeline time per iteration (search-engine spec §5.5, {@code pipeline_costmodel}): per
 * stage the sums F (layers with their gradient sync) and K (without it, plus the vocabulary), warm-up and cool-down in
 * thirds, the slower of the two bounds, plus the exposed gradient-reduce tail. Sums run in layer order, as Galvatron's
 * Python loop adds them. Galvatron 3.0's counterpart (numpy's pairwise sums) is {@code cost.v3.PipelineCost}.
 */
public final class PipelineCost {
    private PipelineCost() {
    }

    /**
     * @param withSyncS    per layer, in plan order, the time with gradient sync (s)
     * @param withoutSyncS per layer, the time without it (s)
     * @param division     layers per stage
     * @param vocabularyWithoutSyncS per stage, the vocabulary's time without sync (s)
     * @param chunks       micro-batches the pipeline runs
     */
    public static PipelineTerms terms(double[] withSyncS, double[] withoutSyncS, List<Integer> division,
                                      double[] vocabularyWithoutSyncS, int chunks) {
        int pp = division.size();
        double[] full = new double[pp];
        double[] compute = new double[pp];
        int layer = 0;
        for (int stage = 0; stage < pp; stage++) {
            for (int j = 0; j < division.get(stage); j++, layer++) {
                full[stage] += withSyncS[layer];
                compute[stage] += withoutSyncS[layer];
            }
            compute[stage] += vocabularyWithoutSyncS[stage];
        }
        return new PipelineTerms(full, compute, chunks, iterationS(full, compute, chunks));
    }

    /** The formula on the stage sums: bubble-aware iteration time plus the exposed gradient-reduce tail. */
    public static double iterationS(double[] full, double[] compute, int chunks) {
        int pp = compute.length;
        double sumCompute = 0;
        for (double x : compute) sumCompute += x;
        double lastStageBound = sumCompute + compute[pp - 1] * (chunks - 1);
        double restThird = 0;
        double restTwoThirds = 0;
        for (int i = 1; i < pp; i++) {
            restThird += compute[i] / 3;
            restTwoThirds += compute[i] * 2 / 3;
        }
        int warm = Math.min(pp - 1, chunks - 1);
        double firstStageBound = Math.max(warm * compute[0] / 3, restThird) + Math.max(warm * compute[0] * 2 / 3, restTwoThirds)
                + compute[0] * Math.max(0, chunks + 1 - pp);
        double iteration = Math.max(lastStageBound, firstStageBound);
        return iteration + exposedReduceS(full, compute);
    }

    /** How long the last gradient reduce outlasts the compute before it (the formula's tail term; never negative). */
    public static double exposedReduceS(double[] full, double[] compute) {
        double tail = 0;
        double done = 0;
        for (int i = 0; i < compute.length; i++) {
            done += compute[i];
            tail = Math.max(tail, full[i] - done);
        }
        return tail;
    }
}
