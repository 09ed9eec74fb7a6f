package studio.engine.cost;

import studio.engine.model.LayerType;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.ProfileBundle;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-stage time of the vocabulary layers for every vocab TP candidate, with and without the gradient sync
 * (search-engine spec §5.2, {@code OtherTimeCostModel}). Galvatron 3.0's counterpart is {@code cost.v3.VocabularyTimeCost}.
 */
final class VocabularyTimeCost {
    private static final double MB = 1048576.0;

    private final ProfileBundle profiles;
    private final CostModelOptions options;
    private final HardwareProfile hardware;
    private final VocabularyMemoryCost memory;

    VocabularyTimeCost(ProfileBundle profiles, CostModelOptions options, VocabularyMemoryCost memory) {
        this.profiles = profiles;
        this.options = options;
        this.hardware = profiles.hardware();
        this.memory = memory;
    }

    OtherTime of(int microBatchSize, int pp, boolean vocabularyUlysses, boolean embeddingZero3, int minTp, int maxTp) {
        int world = options.worldSize();
        double overlap = hardware.overlapCoe();
        ForwardTime other = profiles.otherForwardTime();
        Map<Integer, double[]> with = new TreeMap<>();
        Map<Integer, double[]> without = new TreeMap<>();
        int hidden = profiles.model().layerTypes().get(0).hiddenSize();
        List<Integer> seqs = profiles.model().layerTypes().stream().map(LayerType::seqLength).toList();
        for (int k = minTp; k <= maxTp && world / pp >= k; k *= 2) {
            if (!memory.profiled(k)) continue; // the same candidates as the memory side
            double[] tensorParallelMs = tensorParallelMsPerSequence(microBatchSize, pp, k, vocabularyUlysses, hidden, seqs);
            double forwardMs = other.batchFit() ? other.slopeMs() * ((double) microBatchSize / minTp) + other.interceptMs()
                    : (double) microBatchSize / minTp * other.perSampleMs();
            int group;
            double msPerMb;
            if (!vocabularyUlysses) {
                group = world / pp / k;
                msPerMb = (k == 1 || group == 1) ? hardware.lookup(group) : hardware.coe(group, 0);
            } else {
                group = world / pp;
                msPerMb = hardware.lookup(group);
            }
            double reduceMsPerMb = msPerMb * (group - 1) / group;
            // ZeRO-3 gathers in the forward and reduce-scatters in the backward; ZeRO-2 reduces in the backward only
            double forwardShare = embeddingZero3 ? 0.5 : 0.0;
            double backwardShare = embeddingZero3 ? 1.0 : 0.5;
            double[] withSync = new double[pp];
            double[] withoutSync = new double[pp];
            if (pp == 1) {
                double tpMs = 0;
                for (double x : tensorParallelMs) tpMs += x;
                tpMs += tensorParallelMs[tensorParallelMs.length - 1];
                double statesMb = VocabularyMemoryCost.need(profiles.otherPpOff().modelStatesMb(), vocabularyUlysses ? 1 : k,
                        "other_memory_pp_off.model_states") / 4;
                withSync[0] = 0.001 * overlapped(statesMb * reduceMsPerMb * forwardShare, forwardMs,
                        statesMb * reduceMsPerMb * backwardShare, 2 * forwardMs, tpMs, overlap);
                withoutSync[0] = 0.001 * overlapped(statesMb * reduceMsPerMb * forwardShare, forwardMs,
                        statesMb * reduceMsPerMb * (backwardShare - 0.5), 2 * forwardMs, tpMs, overlap);
            } else {
                // First-stage states stand for both ends with vsp 0, last-stage states with vsp 1 (quirk Q18b).
                double statesMb = vocabularyUlysses
                        ? VocabularyMemoryCost.need(profiles.otherLastStage().modelStatesMb(), 1, "other_memory_pp_on_last.model_states") / 4
                        : VocabularyMemoryCost.need(profiles.otherFirstStage().modelStatesMb(), k, "other_memory_pp_on_first.model_states") / 4;
                double half = forwardMs / 2;
                double[] endsTpMs = {tensorParallelMs[0], tensorParallelMs[tensorParallelMs.length - 1]};
                int[] stages = {0, pp - 1};
                for (int e = 0; e < 2; e++) {
                    withSync[stages[e]] = 0.001 * overlapped(statesMb * reduceMsPerMb * forwardShare, half,
                            statesMb * reduceMsPerMb * backwardShare, 2 * half, endsTpMs[e], overlap);
                    withoutSync[stages[e]] = 0.001 * overlapped(statesMb * reduceMsPerMb * forwardShare, half,
                            statesMb * reduceMsPerMb * (backwardShare - 0.5), 2 * half, endsTpMs[e], overlap);
                }
            }
            with.put(k, withSync);
            without.put(k, withoutSync);
        }
        return new OtherTime(with, without);
    }

    /** The vocabulary's TP all-reduce, one per layer type's sequence length (none with Ulysses vocabulary layers). */
    private double[] tensorParallelMsPerSequence(int microBatchSize, int pp, int k, boolean vocabularyUlysses, int hidden, List<Integer> seqs) {
        boolean mixed = options.mixed();
        double[] perSeq = new double[seqs.size()];
        for (int i = 0; i < seqs.size(); i++) {
            int seq = seqs.get(i);
            if (vocabularyUlysses) {
                perSeq[i] = 0;
            } else if (options.spSpace().usesCollectiveTables()) {
                double bytes = (double) microBatchSize * seq * hidden * (mixed ? 2 : 4);
                perSeq[i] = k == 1 ? 0 : hardware.spAllreduce(k).fitMsFor(bytes);
            } else {
                int dpGroup = options.worldSize() / pp / k;
                double msPerMb = (k == 1 || dpGroup == 1) ? hardware.lookup(k) : hardware.coe(k, 0);
                perSeq[i] = (k - 1.0) / k * ((double) microBatchSize * seq * hidden / MB) * (mixed ? 2 : 4) * msPerMb;
            }
        }
        return perSeq;
    }

    /** Gradient communication hidden behind compute as far as the overlap slowdown allows, plus the TP time. */
    private static double overlapped(double forwardCommMs, double forwardMs, double backwardCommMs, double backwardMs,
                                     double tensorParallelMs, double overlap) {
        forwardMs *= overlap;
        backwardMs *= overlap;
        double f = forwardMs > forwardCommMs ? forwardCommMs + (forwardMs - forwardCommMs) / overlap : forwardCommMs;
        double b = backwardMs > backwardCommMs ? backwardCommMs + (backwardMs - backwardCommMs) / overlap : backwardCommMs;
        return f + b + tensorParallelMs;
    }
}
