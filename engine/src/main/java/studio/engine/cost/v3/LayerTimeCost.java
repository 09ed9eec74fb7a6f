package studio.engine.cost.v3;

import studio.engine.cost.GradientOverlap;
import studio.engine.cost.LayerTime;
import studio.engine.io.InputFileException;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.v3.LatencyTable;

/**
 * One transformer layer's time (v3 spec §5.1: {@code TimeCostModelBase}): compute from the profile, the gradient
 * reduce overlapped with backward, Megatron-TP all-gathers or Ulysses all-to-alls from the latency tables, the ZeRO-3
 * all-gather and the pipeline's p2p share. Galvatron computes for all n layers and divides by n; so does this.
 */
public final class LayerTimeCost {
    private final CostInputs in;
    private final RingAttention ring;
    private final ExpertLayer experts;

    /** @param ring the context-parallel model and {@code experts} the MoE one, shared with the other components */
    public LayerTimeCost(CostInputs in, RingAttention ring, ExpertLayer experts) {
        this.in = in;
        this.ring = ring;
        this.experts = experts;
    }

    public LayerTime of(HybridStrategy s, int batch, int chunks) {
        CostSettings cs = in.settings();
        int n = cs.layerCount();
        int tps = s.tensorOrSequenceDegree();
        int sdp = s.shardGroup();
        checkCollectivesProfiled(s);
        int localBatch = batch / chunks / s.dp();
        double parameters = in.profile().parameterMb() / s.tp();
        ForwardTime ft = in.profile().layerForward();
        double forward = ft.batchFit()
                ? (ft.slopeMs() * ((double) localBatch / tps) + ft.interceptMs()) * n
                : (ft.perSampleMs() * localBatch / tps) * n;
        int split = ring.split(s); // 1 unless the ring model costs cp: each GPU then holds S / cp tokens
        if (split > 1) forward = forward / split;
        double backward = forward * 2;
        if (s.checkpoint()) backward = backward + forward;
        double gradientMb = ((2 * (sdp - 1)) * (parameters / sdp)) * n;
        if (cs.mixed()) gradientMb = gradientMb / 2;
        double gatherMb = gradientMb * 0.5;
        double reduceMsPerMb = in.allreduceMsPerMb(sdp, s.tp());
        double overlap = in.hardware().overlapCoefficient();
        double reduceOverlappedMsPerMb = reduceMsPerMb * overlap;
        double tensorParallelMs;
        if (tps == 1) {
            tensorParallelMs = 0;
        } else {
            // Ulysses: 4 all-to-alls per layer; Megatron-TP: 6 all-gathers / reduce-scatters; a recompute adds half
            boolean ulysses = s.tp() == 1;
            double count = (ulysses ? 4 : 6) * n;
            if (s.checkpoint()) count = count * 1.5;
            LatencyTable table = ulysses ? in.allToAll(s.sp()) : in.allGather(s.tp());
            double messageMb = (double) ((long) localBatch * cs.seqLength() * cs.hiddenSize() * cs.activationBytes()) / 1024 / 1024;
            if (split > 1) messageMb = messageMb / split;
            tensorParallelMs = table.msFor(messageMb) * count;
        }
        double ringMs = 0;
        if (split > 1) {
            // the ring's exposed K/V exchange, per layer, and again for a checkpointed layer's recomputed forward
            double exposed = ring.exposedMs(s, localBatch, forward / n) * n;
            // exposedMs is forward + backward, the backward twice the forward: a recompute adds a third
            ringMs = s.checkpoint() ? exposed * 4 / 3 : exposed;
            tensorParallelMs += ringMs;
        }
        double p2pMs = 0;
        if (s.pp() > 1) {
            double p2pMb = (double) ((long) s.pp() * 2 * localBatch * cs.seqLength() * cs.hiddenSize() * 4) / 1024 / 1024;
            if (cs.mixed()) p2pMb = p2pMb / 2;
            p2pMs = p2pMb * in.p2pMsPerMb(s.pp());
        }
        // the routed experts, per layer, beside the profiled dense part
        ExpertLayer.Time expert = experts.active() ? experts.time(s, localBatch) : null;
        double[] result = new double[2];
        double scale = 0.001 * cs.debugCostmodelCoe();
        for (int sync = 1; sync >= 0; sync--) {
            double res;
            if (tps == 1 && s.dp() > 1) {
                GradientOverlap.Split or = GradientOverlap.of(gradientMb * sync, backward, reduceMsPerMb, reduceOverlappedMsPerMb, overlap);
                res = ((forward + or.overlappedMs()) + or.restMs()) + 0;
            } else if (s.dp() == 1 && tps > 1) {
                res = (forward + backward) + tensorParallelMs;
            } else if (s.dp() == 1) {
                res = forward + backward;
            } else {
                GradientOverlap.Split or = GradientOverlap.of(gradientMb * sync, backward, reduceMsPerMb, reduceOverlappedMsPerMb, overlap);
                res = (((forward + or.overlappedMs()) + or.restMs()) + tensorParallelMs) + 0;
            }
            if (s.zero3()) res = res + gatherMb * reduceMsPerMb;
            if (s.pp() > 1) res = res + p2pMs;
            if (expert != null) res = res + expert.totalMs(sync == 1, overlap) * n;
            result[1 - sync] = (res * scale) / n;
        }
        // the parts per layer and micro-batch, in ms, scaled as the totals are (what the studio's charts split)
        double perLayerMs = scale * 1000 / n;
        if (expert != null) {
            double scaleMs = scale * 1000;
            double exchangeMs = (expert.allToAllMs() + expert.expertTpMs()) * scaleMs;
            return new LayerTime(forward * perLayerMs + expert.forwardMs() * scaleMs, backward * perLayerMs + expert.backwardMs() * scaleMs,
                    tensorParallelMs * perLayerMs + exchangeMs, p2pMs * perLayerMs, result[0], result[1], exchangeMs, ringMs * perLayerMs);
        }
        return new LayerTime(forward * perLayerMs, backward * perLayerMs, tensorParallelMs * perLayerMs, p2pMs * perLayerMs, result[0], result[1],
                0, ringMs * perLayerMs);
    }

    /** Galvatron's initialize(): a TP degree must be in the all-reduce table, a Ulysses degree in the all-to-all one. */
    private void checkCollectivesProfiled(HybridStrategy s) {
        if (s.tp() > 1 && !in.hardware().allreduceGroups().contains(s.tp())) {
            throw new InputFileException(in.hardware().collectiveFile(), "allreduce_size_" + s.tp() + "_*MB_time",
                    "missing; Megatron-TP " + s.tp() + " needs its collective times (profile the hardware)");
        }
        if (s.sp() > 1 && !in.hardware().allToAllGroups().contains(s.sp())) {
            throw new InputFileException(in.hardware().collectiveFile(), "all2all_size_" + s.sp() + "_*MB_time",
                    "missing; Ulysses " + s.sp() + " needs its all-to-all times (profile the hardware)");
        }
    }
}
