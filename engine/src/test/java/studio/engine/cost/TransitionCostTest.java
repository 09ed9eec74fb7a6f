package studio.engine.cost;

import org.junit.jupiter.api.Test;
import studio.engine.conformance.S1Inputs;
import studio.engine.plan.LayerStrategy;
import studio.engine.profile.HardwareProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The transition matrix, read field by field, is bit for bit Galvatron's formula with its match-based tie-breaks. */
class TransitionCostTest {
    /** Galvatron's {@code match}: same degrees and the same flags except the excepted ones. */
    private static boolean match(LayerStrategy a, LayerStrategy b, boolean exceptFsdp, boolean exceptCheckpoint, boolean exceptUlysses) {
        if (a.pp() != b.pp() || a.tp() != b.tp() || a.dp() != b.dp() || a.tpConsecutive() != b.tpConsecutive()) return false;
        if (!exceptFsdp && a.fsdp() != b.fsdp()) return false;
        if (!exceptUlysses && a.ulysses() != b.ulysses()) return false;
        return exceptCheckpoint || a.checkpoint() == b.checkpoint();
    }

    /** search-engine spec §5.3 transcribed as Galvatron writes it, one strategy pair at a time. */
    private static double reference(CostModel cm, LayerStrategy from, LayerStrategy to, boolean diagonal, int type, int microBatchSize, int minTp) {
        HardwareProfile hardware = cm.profiles().hardware();
        int seq = cm.profiles().model().layerTypes().get(type).seqLength();
        double sampleBytes = (double) seq * cm.profiles().model().hiddenSize() * (cm.options().mixed() ? 2 : 4);
        boolean bothTp = from.tpConsecutive() >= 0 && to.tpConsecutive() >= 0;
        boolean resharded = to.tp() > from.tp()
                || bothTp && to.tp() == from.tp() && to.tpConsecutive() != from.tpConsecutive()
                || bothTp && from.tp() * from.dp() == 8 && from.tp() == 4 && to.tp() == 2 && to.tpConsecutive() != from.tpConsecutive()
                || cm.options().sequenceParallel() && to.tp() != from.tp();
        int group = Math.max(from.tp(), to.tp());
        double v = resharded ? (group - 1.0) / group * microBatchSize * (group / minTp) * sampleBytes : 0;
        int dp = Math.min(from.dp(), to.dp());
        LayerStrategy selected = to.tp() > from.tp() ? to : from;
        double msPerMb = (group == 1 || dp == 1) ? hardware.lookup(group)
                : (selected.hasConsecutiveTpFlag() ? hardware.coe(group, 1) : hardware.coe(group, 0));
        v *= msPerMb * 1e-7;
        if (!diagonal) {
            if (match(from, to, false, false, true) && to.isUlysses()) v = 1e-10;
            if (match(from, to, true, false, false) && to.isZero3()) v = 1e-9;
            if (match(from, to, false, true, false) && to.checkpoint()) v = 2e-9;
            if (match(from, to, true, true, false) && to.isZero3() && to.checkpoint()) v = 3e-9;
            if (match(from, to, true, true, false) && !match(from, to, true, false, false) && !match(from, to, false, true, false)
                    && from.isZero3() && to.checkpoint()) v = 1e-9;
        }
        return v;
    }

    @Test
    void everyPairOfEveryStrategyAsGalvatronComputesIt() {
        CostModel cm = S1Inputs.costModel();
        List<LayerStrategy> all = new ArrayList<>();
        for (int pp : new int[] {1, 2}) {
            for (int tp = 1; tp * pp <= 8; tp *= 2) {
                for (boolean consecutive : new boolean[] {true, false}) {
                    for (boolean zero3 : new boolean[] {false, true}) {
                        for (boolean ulysses : new boolean[] {false, true}) {
                            for (boolean checkpoint : new boolean[] {false, true}) {
                                all.add(LayerStrategy.of(pp, tp, 8 / pp / tp, consecutive, zero3, ulysses, checkpoint));
                            }
                        }
                    }
                }
            }
        }
        Random random = new Random(17);
        for (int round = 0; round < 40; round++) {
            // the whole space, then random sublists in random orders, with repeats (as a search's per-degree lists are not)
            List<LayerStrategy> strategies = new ArrayList<>(all);
            if (round > 0) {
                strategies.clear();
                int n = 1 + random.nextInt(all.size());
                for (int k = 0; k < n; k++) strategies.add(all.get(random.nextInt(all.size())));
            }
            int microBatchSize = 1 + random.nextInt(16);
            int minTp = 1 << random.nextInt(3);
            double[][] x = cm.transitionCost(strategies, 0, microBatchSize, minTp);
            for (int i = 0; i < strategies.size(); i++) {
                for (int j = 0; j < strategies.size(); j++) {
                    double expected = reference(cm, strategies.get(i), strategies.get(j), i == j, 0, microBatchSize, minTp);
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(x[i][j]),
                            "X[" + i + "][" + j + "] " + strategies.get(i) + " -> " + strategies.get(j) + ": " + expected + " vs " + x[i][j]);
                }
            }
        }
    }
}
