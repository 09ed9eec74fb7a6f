package studio.engine.cost;

import studio.engine.plan.PlanException;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one plan's memory and time go, stage by stage, from its per-layer costs and the pipeline terms: the same split
 * for Galvatron v2's and 3.0's models (model states as 4:4:8 of the lumped value; compute, TP/SP, exposed DP, p2p and
 * the bubble as the rest of the iteration).
 */
public final class StageBreakdown {
    private StageBreakdown() {
    }

    /** Memory and time per stage. */
    public record Stages(List<StageMemory> memory, List<StageTime> time) {
    }

    /**
     * @param otherMb               per stage, the vocabulary modules with the context (before rounding up)
     * @param bufferMb              the Megatron-SP buffer on every stage
     * @param vocabularyWithoutSync per stage, the vocabulary's time without sync, s
     */
    public static Stages of(List<LayerMemory> memory, List<LayerTime> times, int[] stageOf, int pp, double[] otherMb, int bufferMb,
                            int cacheMb, int budgetMb, double[] vocabularyWithoutSync, PipelineTerms terms) {
        List<StageMemory> stageMemory = new ArrayList<>();
        List<StageTime> stageTime = new ArrayList<>();
        int chunks = terms.realChunks();
        double iteration = terms.iterationS();
        for (int st = 0; st < pp; st++) {
            double states = 0;
            double activations = 0;
            long weights = 0;
            double compute = 0;
            double tp = 0;
            double p2p = 0;
            double expertStates = 0;
            double exchange = 0;
            double ring = 0;
            double withoutSum = 0;
            int count = 0;
            for (int l = 0; l < memory.size(); l++) {
                if (stageOf[l] != st) continue;
                count++;
                states += memory.get(l).modelStatesMb();
                expertStates += memory.get(l).expertStatesMb();
                activations += memory.get(l).activationMb();
                weights += memory.get(l).weightMb();
                LayerTime t = times.get(l);
                compute += (t.forwardMs() + t.backwardMs()) / 1000;
                tp += t.tpMs() / 1000;
                p2p += t.p2pMs() / 1000;
                exchange += t.expertExchangeMs() / 1000;
                ring += t.ringMs() / 1000;
                withoutSum += t.noCommS();
            }
            int other = (int) Math.ceil(otherMb[st]) + bufferMb;
            long totalMb = weights + other + cacheMb;
            // a layer's weight saturates at Integer.MAX_VALUE, so one implausible layer already puts its stage over this
            if (totalMb > Integer.MAX_VALUE / 2) {
                throw new PlanException("memory", "stage " + st + " would need over " + (Integer.MAX_VALUE / 2) + " MB per GPU: the memory "
                        + "profile's values or the batch size are far beyond any GPU");
            }
            stageMemory.add(new StageMemory(st, count, states / 4, states / 4, states / 2, activations, (int) weights, other, cacheMb,
                    (int) totalMb, budgetMb, expertStates));
            double computeS = chunks * (compute + vocabularyWithoutSync[st]);
            double tpS = chunks * tp;
            double p2pS = chunks * p2p;
            double gathers = Math.max(0, withoutSum - compute - tp - p2p);
            double dpS = chunks * gathers + Math.max(0, terms.fullS()[st] - (terms.computeS()[st] - vocabularyWithoutSync[st]));
            double bubble = Math.max(0, iteration - computeS - tpS - p2pS - dpS);
            stageTime.add(new StageTime(st, computeS, tpS, dpS, p2pS, bubble, chunks * exchange, chunks * ring));
        }
        return new Stages(stageMemory, stageTime);
    }
}
