package studio.engine.cost.v3;

import studio.engine.plan.v3.HybridStrategy;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.v3.ModelProfile;

/**
 * Embedding and LM-head time (v3 spec §5.2: {@code EmbeddingLMHeadTimeCostModel}): compute divided by the vocabulary's
 * TP-or-Ulysses and cp degrees, half on each end stage when pipelined; gradient sync of its model states overlapped
 * with compute; one all-gather lookup per end under Megatron-TP (counted twice unpipelined, quirk Q-v3-27); a Ulysses
 * vocabulary has no communication time (Q-v3-10).
 */
public final class VocabularyTimeCost {
    private final CostInputs in;

    public VocabularyTimeCost(CostInputs in) { this.in = in; }

    public VocabularyTime of(HybridStrategy e, int batch, int chunks) {
        CostSettings cs = in.settings();
        ModelProfile p = in.profile();
        int pp = e.pp();
        int tps = e.tensorOrSequenceDegree();
        int localBatch = batch / chunks / e.dp();
        ForwardTime ot = p.otherForward();
        double forward = ot.batchFit()
                ? ot.slopeMs() * (((double) localBatch / tps) / e.cp()) + ot.interceptMs()
                : ((ot.perSampleMs() * localBatch) / tps) / e.cp();
        double[] compute = new double[pp];
        if (pp == 1) {
            compute[0] = forward;
        } else {
            compute[0] = forward / 2;
            compute[pp - 1] = forward / 2;
        }
        double syncPerMb = (in.allreduceMsPerMb(e.shardGroup(), e.tp()) * (e.shardGroup() - 1)) / e.shardGroup();
        double factor = cs.mixed() ? 0.5 : 1.0;
        double[] statesMb = new double[pp];
        if (pp == 1) {
            statesMb[0] = CostInputs.entry(p, p.noPipeline(), p.noPipeline().modelStatesMb(), "model_states", e.tp()) / 4 * factor;
        } else {
            statesMb[0] = CostInputs.entry(p, p.firstStage(), p.firstStage().modelStatesMb(), "model_states", e.tp()) / 4 * factor;
            statesMb[pp - 1] = CostInputs.entry(p, p.lastStage(), p.lastStage().modelStatesMb(), "model_states", e.tp()) / 4 * factor;
        }
        double forwardShare = e.zero3() ? 0.5 : 0.0;
        double backwardShare = e.zero3() ? 1.0 : 0.5;
        double gatherMs = 0;
        if (tps != 1 && e.tp() != 1) {
            if (!cs.sequenceParallel()) {
                throw new IllegalArgumentException("common_train_info.sequence_parallel false with a Megatron-TP vocabulary (vtp " + e.tp()
                        + "): Galvatron 3.0 asserts sequence_parallel must be True when tp_size > 1; set it true, or "
                        + "search_space_info.disable_embedding_lmhead_tp=1");
            }
            double messageMb = (double) ((long) localBatch * cs.seqLength() * cs.hiddenSize() * cs.activationBytes()) / 1024 / 1024;
            gatherMs = in.allGather(e.tp()).msFor(messageMb);
        }
        double[] tensorParallel = new double[pp];
        if (pp == 1) {
            tensorParallel[0] = gatherMs + gatherMs;
        } else {
            tensorParallel[0] = gatherMs;
            tensorParallel[pp - 1] = gatherMs;
        }
        double overlap = in.hardware().overlapCoefficient();
        double[] with = new double[pp];
        double[] without = new double[pp];
        for (int i : pp == 1 ? new int[] {0} : new int[] {0, pp - 1}) {
            double sync = statesMb[i] * syncPerMb;
            with[i] = 0.001 * overlapped(sync * forwardShare, compute[i], sync * backwardShare, compute[i] * 2, tensorParallel[i], overlap);
            without[i] = 0.001 * overlapped(sync * forwardShare, compute[i], sync * (backwardShare - 0.5), compute[i] * 2, tensorParallel[i], overlap);
        }
        return new VocabularyTime(with, without);
    }

    private static double overlapped(double forwardComm, double forwardCompute, double backwardComm, double backwardCompute,
                                     double tensorParallel, double overlap) {
        double fcp = forwardCompute * overlap;
        double bcp = backwardCompute * overlap;
        double f = fcp > forwardComm ? forwardComm + (fcp - forwardComm) / overlap : forwardComm;
        double b = bcp > backwardComm ? backwardComm + (bcp - backwardComm) / overlap : backwardComm;
        return (f + b) + tensorParallel;
    }
}
