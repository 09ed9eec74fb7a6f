package studio.engine.cost.v3;

import studio.engine.plan.v3.HybridStrategy;

import java.util.List;

/**
 * The cost of running one strategy after another (v3 spec §5.3): with Megatron-SP, a change of the TP-or-Ulysses
 * degree re-gathers the activations (with Galvatron's 100x factor, quirk Q-v3-18); otherwise tiny biases that order
 * equal-time choices. Without SP every change is free.
 */
public final class TransitionCost {
    private final CostInputs in;

    /** The largest transition between two strategies of one TP-or-Ulysses degree (the tie-breakers below), seconds. */
    public static final double MAX_WITHIN_DEGREE_S = 3e-9;

    public TransitionCost(CostInputs in) { this.in = in; }

    /** {@code X[a][b]} over a task's strategy list, seconds. */
    public double[][] matrix(List<HybridStrategy> strategies, int batch, int chunks, int pp) {
        int k = strategies.size();
        double[][] x = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                if (i != j) x[i][j] = cost(strategies.get(i), strategies.get(j), batch, chunks, pp);
            }
        }
        return x;
    }

    double cost(HybridStrategy a, HybridStrategy b, int batch, int chunks, int pp) {
        CostSettings cs = in.settings();
        if (cs.sequenceParallel() && a.tensorOrSequenceDegree() != b.tensorOrSequenceDegree()) {
            int q = Math.max(a.tensorOrSequenceDegree(), b.tensorOrSequenceDegree());
            int groups = cs.worldSize() / pp / q;
            double microBatch = ((double) batch / chunks) / groups;
            long sampleBytes = (long) cs.seqLength() * cs.hiddenSize() * cs.activationBytes();
            double volume = (((q - 1) / (double) q) * microBatch) * sampleBytes;
            double coefficient;
            if (q == 1 || groups == 1) {
                Double plain = in.hardware().allreduceMsPerMb().get(Integer.toString(q));
                coefficient = plain != null ? plain : in.allreduceMsPerMb(q + "_1");
            } else {
                coefficient = in.allreduceMsPerMb(q + "_1");
            }
            return volume * (coefficient * 1e-7);
        }
        boolean sameDp = a.dp() == b.dp();
        boolean sameGroup = a.tp() == b.tp() && a.sp() == b.sp() && sameDp;
        boolean onlySp = a.tensorOrSequenceDegree() == b.tensorOrSequenceDegree() && sameDp && a.checkpoint() == b.checkpoint()
                && a.dpType() == b.dpType() && a.sp() != b.sp();
        boolean onlyDpType = sameGroup && a.checkpoint() == b.checkpoint() && a.dpType() != b.dpType();
        boolean onlyCheckpoint = sameGroup && a.dpType() == b.dpType() && a.checkpoint() != b.checkpoint();
        boolean typeOrCheckpoint = sameGroup && !(a.dpType() == b.dpType() && a.checkpoint() == b.checkpoint());
        double x = 0;
        if (onlySp && b.sp() > 1) x = 1e-10;
        if (onlyDpType && b.zero3()) x = 1e-9;
        if (onlyCheckpoint && b.checkpoint()) x = 2e-9;
        if (typeOrCheckpoint && b.zero3() && b.checkpoint()) x = 3e-9;
        if (typeOrCheckpoint && !onlyDpType && !onlyCheckpoint && a.zero3() && b.checkpoint()) x = 1e-9;
        return x;
    }
}
