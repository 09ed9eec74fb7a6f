package studio.engine.cost;

import studio.engine.model.LayerType;
import studio.engine.plan.LayerStrategy;
import studio.engine.profile.CollectiveTimeTable;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.HardwareProfile;

/**
 * One layer's time for one micro-batch (search-engine spec §5.1): compute from the profile, the dp gradient reduce,
 * TP / Ulysses collectives (from the collective tables or the bandwidth coefficients, §2.5), ZeRO-3's gather and the
 * pipeline's p2p share. Galvatron computes for all n layers of a type and divides by n; so does this. Galvatron 3.0's
 * counterpart is {@code cost.v3.LayerTimeCost}.
 */
final class LayerTimeCost {
    private static final double MB = 1048576.0;

    private final CostModelOptions options;
    private final HardwareProfile hardware;

    LayerTimeCost(CostModelOptions options, HardwareProfile hardware) {
        this.options = options;
        this.hardware = hardware;
    }

    LayerTime of(LayerStrategy s, LayerType type, ForwardTime forward, double parameterSizeMb, double microBatch) {
        LayerTimeTerms terms = terms(s, type, forward, parameterSizeMb, microBatch);
        int n = type.layerCount();
        double coe = options.costmodelCoe();
        return new LayerTime(terms.forwardMs() / n, terms.backwardMs() / n, terms.tensorParallelMs() / n, terms.p2pMs() / n,
                terms.totalMs(true) * 0.001 * coe / n, terms.totalMs(false) * 0.001 * coe / n);
    }

    LayerTimeTerms terms(LayerStrategy s, LayerType type, ForwardTime forward, double parameterSizeMb, double microBatch) {
        int n = type.layerCount();
        int pp = s.pp();
        int tp = s.tp();
        int dp = s.dp();
        boolean ulysses = s.isUlysses();
        boolean mixed = options.mixed();
        double localBatch = microBatch / dp;
        double parameterMb = ulysses ? parameterSizeMb : parameterSizeMb / tp;
        int shardGroup = ulysses ? tp * dp : dp;
        double forwardMs;
        if (forward.batchFit()) {
            forwardMs = (forward.slopeMs() * (localBatch / tp) + forward.interceptMs()) * n;
        } else {
            forwardMs = forward.perSampleMs() * localBatch / tp * n;
        }
        double backwardMs = forwardMs * 2;
        if (s.checkpoint()) backwardMs += forwardMs;
        double gradientMb = 2.0 * (dp - 1) / dp * parameterMb * n;
        if (mixed) gradientMb /= 2;
        double reduceMsPerMb;
        if (ulysses) {
            reduceMsPerMb = hardware.lookup(shardGroup);
        } else if (tp == 1 || dp == 1) {
            reduceMsPerMb = hardware.lookup(dp);
        } else {
            reduceMsPerMb = s.hasConsecutiveTpFlag() ? hardware.coe(dp, 0) : hardware.coe(dp, 1);
        }
        double tensorParallelMs = tensorParallelMs(s, type, localBatch);
        double p2pMs = 0;
        if (pp > 1) {
            p2pMs = pp * 2 * localBatch * type.seqLength() * type.hiddenSize() * 4 / MB;
            if (mixed) p2pMs /= 2;
            p2pMs *= hardware.p2p(pp);
        }
        return new LayerTimeTerms(tp, dp, forwardMs, backwardMs, tensorParallelMs, gradientMb, reduceMsPerMb,
                hardware.overlapCoe(), s.isZero3(), p2pMs);
    }

    /** Megatron-TP all-reduces or Ulysses all-to-alls, for all n layers. */
    private double tensorParallelMs(LayerStrategy s, LayerType type, double localBatch) {
        int n = type.layerCount();
        int tp = s.tp();
        int dp = s.dp();
        boolean mixed = options.mixed();
        int seq = type.seqLength();
        int hidden = type.hiddenSize();
        if (options.spSpace().usesCollectiveTables()) {
            double count = 4 * n * (s.checkpoint() ? 1.5 : 1);
            double each;
            if (tp == 1) {
                each = 0;
            } else {
                double bytes = localBatch * seq * hidden * (mixed ? 2 : 4);
                CollectiveTimeTable table = s.isUlysses() ? hardware.spAll2all(tp) : hardware.spAllreduce(tp);
                each = table.msFor(bytes);
            }
            return count * each;
        }
        double messageMb = 2.0 * (tp - 1) / tp * (localBatch * seq * hidden * 4 * 4 / MB) * n;
        if (s.checkpoint()) messageMb *= 1.5;
        if (mixed) messageMb /= 2;
        double msPerMb;
        if (tp == 1 || dp == 1) {
            msPerMb = hardware.lookup(tp);
        } else {
            msPerMb = s.hasConsecutiveTpFlag() ? hardware.coe(tp, 1) : hardware.coe(tp, 0);
        }
        return messageMb * msPerMb;
    }
}
