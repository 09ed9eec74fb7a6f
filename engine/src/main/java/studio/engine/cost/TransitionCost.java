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

    /** {@code X[i][j]}: seconds to go from strategy i (previous layer) to j, for a layer of the given type. */
    double[][] matrix(List<LayerStrategy> strategies, int type, int microBatchSize, int minTp) {
        int count = strategies.size();
        int seq = profiles.model().layerTypes().get(type).seqLength();
        double sampleBytes = (double) seq * profiles.model().hiddenSize() * (options.mixed() ? 2 : 4);
        double[][] x = new double[count][count];
        for (int i = 0; i < count; i++) {
            LayerStrategy from = strategies.get(i);
            for (int j = 0; j < count; j++) {
                LayerStrategy to = strategies.get(j);
                boolean bothTp = from.tpConsecutive() >= 0 && to.tpConsecutive() >= 0;
                boolean widerTp = to.tp() > from.tp();
                boolean otherTpOrder = bothTp && to.tp() == from.tp() && to.tpConsecutive() != from.tpConsecutive();
                boolean fourToTwo = bothTp && from.tp() * from.dp() == 8 && from.tp() == 4 && to.tp() == 2
                        && to.tpConsecutive() != from.tpConsecutive();
                boolean sequenceParallelChange = options.sequenceParallel() && to.tp() != from.tp();
                int group = Math.max(from.tp(), to.tp());
                double v = (widerTp || otherTpOrder || fourToTwo || sequenceParallelChange)
                        ? (group - 1.0) / group * microBatchSize * (group / minTp) * sampleBytes : 0;
                int dp = Math.min(from.dp(), to.dp());
                LayerStrategy selected = to.tp() > from.tp() ? to : from;
                double msPerMb = (group == 1 || dp == 1) ? hardware.lookup(group)
                        : (selected.hasConsecutiveTpFlag() ? hardware.coe(group, 1) : hardware.coe(group, 0));
                v *= msPerMb * 1e-7; // 100x the physical seconds (quirk Q2)
                if (i != j) {
                    if (match(from, to, false, false, true) && to.isUlysses()) v = 1e-10;
                    if (match(from, to, true, false, false) && to.isZero3()) v = 1e-9;
                    if (match(from, to, false, true, false) && to.checkpoint()) v = 2e-9;
                    if (match(from, to, true, true, false) && to.isZero3() && to.checkpoint()) v = 3e-9;
                    if (match(from, to, true, true, false) && !match(from, to, true, false, false) && !match(from, to, false, true, false)
                            && from.isZero3() && to.checkpoint()) v = 1e-9;
                }
                x[i][j] = v;
            }
        }
        return x;
    }

    /** Galvatron's {@code match}: same degrees and the same info keys (presence and value) except the excepted ones. */
    static boolean match(LayerStrategy a, LayerStrategy b, boolean exceptFsdp, boolean exceptCheckpoint, boolean exceptUlysses) {
        if (a.pp() != b.pp() || a.tp() != b.tp() || a.dp() != b.dp()) return false;
        if (a.tpConsecutive() != b.tpConsecutive()) return false;
        if (!exceptFsdp && a.fsdp() != b.fsdp()) return false;
        if (!exceptUlysses && a.ulysses() != b.ulysses()) return false;
        return exceptCheckpoint || a.checkpoint() == b.checkpoint();
    }
}
