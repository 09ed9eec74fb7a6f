package studio.engine.cost.v3;

import studio.engine.cost.PipelineTerms;

/**
 * Galvatron's closed-form pipeline time per iteration (v3 spec §5.5, as v2 §5.5 with the requested chunks and numpy's
 * pairwise sums): warm-up and cool-down in thirds, the slowest of the two bounds, plus the exposed gradient-reduce tail.
 */
public final class PipelineCost {
    private PipelineCost() {
    }

    /**
     * @param withSync    per layer, with-sync time (s), in plan order
     * @param withoutSync per layer, without-sync time (s)
     * @param stageLayers layers per stage
     * @param vocabularyWithoutSync per stage, the vocabulary's without-sync time (s)
     */
    public static double iterationS(double[] withSync, double[] withoutSync, int[] stageLayers, double[] vocabularyWithoutSync, int chunks) {
        return terms(withSync, withoutSync, stageLayers, vocabularyWithoutSync, chunks).iterationS();
    }

    /** The formula's terms: per stage the with-sync layer sum F and the without-sync sum with the vocabulary K. */
    public static PipelineTerms terms(double[] withSync, double[] withoutSync, int[] stageLayers, double[] vocabularyWithoutSync, int chunks) {
        int pp = stageLayers.length;
        double[] full = new double[pp];
        double[] compute = new double[pp];
        int at = 0;
        for (int i = 0; i < pp; i++) {
            full[i] = PairwiseSum.sum(withSync, at, at + stageLayers[i]);
            compute[i] = PairwiseSum.sum(withoutSync, at, at + stageLayers[i]) + vocabularyWithoutSync[i];
            at += stageLayers[i];
        }
        double base1 = PairwiseSum.sum(compute) + compute[pp - 1] * (chunks - 1);
        double rest = PairwiseSum.sum(compute, 1, pp);
        int warm = Math.min(pp - 1, chunks - 1);
        double base2 = Math.max(warm * compute[0] * 1 / 3, rest * 1 / 3)
                + Math.max(warm * compute[0] * 2 / 3, rest * 2 / 3)
                + compute[0] * Math.max(0, chunks + 1 - pp);
        double t = Math.max(base1, base2);
        double tail = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < pp; i++) tail = Math.max(tail, full[i] - PairwiseSum.sum(compute, 0, i + 1));
        return new PipelineTerms(full, compute, chunks, t + (tail > 0 ? tail : 0));
    }
}
