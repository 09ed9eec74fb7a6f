package studio.engine.cost;

import studio.engine.plan.LayerStrategy;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.ProfileBundle;

import java.util.List;

/**
 * The cost of changing strategy between consecutive layers, {@code X[i][j]} in seconds (search-engine spec §5.3),
 * with Galvatron's tie-breaking epsilons. Galvatron 3.0's counterpart is {@code cost.v3.TransitionCost}.
 */
final class TransitionCost {
    private final ProfileBundle profiles;
    private final CostModelOptions options;
    private final HardwareProfile hardware;

    TransitionCost(ProfileBundle profiles, CostModelOptions options) {
        this.profiles = profiles;
        this.options = options;
        this.hardware = profiles.hardware();
    }

    /**
     * {@code X[i][j]}: seconds to go from strategy i (previous layer) to j, for a layer of the given type. Each
     * strategy's fields are read once per row and column: a search builds a few hundred small matrices, too few calls
     * for the JIT to compile this method, so in a short run it is interpreted, and every accessor call counts.
     */
    double[][] matrix(List<LayerStrategy> strategies, int type, int microBatchSize, int minTp) {
        int count = strategies.size();
        int seq = profiles.model().layerTypes().get(type).seqLength();
        double sampleBytes = (double) seq * profiles.model().hiddenSize() * (options.mixed() ? 2 : 4);
        boolean sequenceParallel = options.sequenceParallel();
        int[] pp = new int[count];
        int[] tp = new int[count];
        int[] dp = new int[count];
        int[] tpConsecutive = new int[count];
        int[] fsdp = new int[count];
        int[] ulysses = new int[count];
        boolean[] checkpoint = new boolean[count];
        for (int i = 0; i < count; i++) {
            LayerStrategy s = strategies.get(i);
            pp[i] = s.pp();
            tp[i] = s.tp();
            dp[i] = s.dp();
            tpConsecutive[i] = s.tpConsecutive();
            fsdp[i] = s.fsdp();
            ulysses[i] = s.ulysses();
            checkpoint[i] = s.checkpoint();
        }
        double[][] x = new double[count][count];
        for (int i = 0; i < count; i++) {
            int fromTp = tp[i];
            int fromDp = dp[i];
            int fromTpc = tpConsecutive[i];
            for (int j = 0; j < count; j++) {
                int toTp = tp[j];
                int toTpc = tpConsecutive[j];
                boolean bothTp = fromTpc >= 0 && toTpc >= 0;
                boolean widerTp = toTp > fromTp;
                boolean otherTpOrder = bothTp && toTp == fromTp && toTpc != fromTpc;
                boolean fourToTwo = bothTp && fromTp * fromDp == 8 && fromTp == 4 && toTp == 2 && toTpc != fromTpc;
                boolean sequenceParallelChange = sequenceParallel && toTp != fromTp;
                int group = Math.max(fromTp, toTp);
                double v = (widerTp || otherTpOrder || fourToTwo || sequenceParallelChange)
                        ? (group - 1.0) / group * microBatchSize * (group / minTp) * sampleBytes : 0;
                int minDp = Math.min(fromDp, dp[j]);
                int selectedTpc = toTp > fromTp ? toTpc : fromTpc;
                double msPerMb = (group == 1 || minDp == 1) ? hardware.lookup(group)
                        : (selectedTpc == 1 ? hardware.coe(group, 1) : hardware.coe(group, 0));
                v *= msPerMb * 1e-7; // 100x the physical seconds (quirk Q2)
                // Galvatron's tie-breaks: match(from, to, except...) is "same degrees, and the same fsdp, ulysses and
                // checkpoint flags except the excepted ones"
                if (i != j && pp[i] == pp[j] && fromTp == toTp && fromDp == dp[j] && fromTpc == toTpc) {
                    boolean sameFsdp = fsdp[i] == fsdp[j];
                    boolean sameUlysses = ulysses[i] == ulysses[j];
                    boolean sameCheckpoint = checkpoint[i] == checkpoint[j];
                    boolean toZero3 = fsdp[j] == 1;
                    if (sameFsdp && sameCheckpoint && ulysses[j] == 1) v = 1e-10; // match except ulysses
                    if (sameUlysses && sameCheckpoint && toZero3) v = 1e-9; // except fsdp
                    if (sameFsdp && sameUlysses && checkpoint[j]) v = 2e-9; // except checkpoint
                    if (sameUlysses && toZero3 && checkpoint[j]) v = 3e-9; // except fsdp and checkpoint
                    // except both, yet neither one alone
                    if (sameUlysses && !sameCheckpoint && !sameFsdp && fsdp[i] == 1 && checkpoint[j]) v = 1e-9;
                }
                x[i][j] = v;
            }
        }
        return x;
    }
}
