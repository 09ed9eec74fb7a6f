package studio.engine.cost;

import studio.engine.model.Architecture;
import studio.engine.model.ParameterCount;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

/**
 * How many parameters one GPU of each pipeline stage holds under a plan (docs/PARAMETERS.md): its layers with their
 * Megatron-TP split (Ulysses splits none) and ZeRO-3 sharding over the stage's other GPUs (an MoE layer's experts
 * split by its expert placement and sharded over their expert-data-parallel group), the embedding on the first
 * stage and the final norm and head on the last (a tied head keeps a copy there when pipelined, as Megatron does),
 * split by the vocabulary TP and, with embed_sdp, sharded.
 */
public final class ParameterPlacement {
    private ParameterPlacement() {
    }

    public static double[] perStage(ParallelPlan plan, Architecture architecture, int worldSize) {
        ParameterCount count = new ParameterCount(architecture);
        int pp = plan.pp();
        int stageGpus = worldSize / pp;
        double[] out = new double[pp];
        int[] stageOf = plan.stageOfLayer();
        for (int l = 0; l < plan.layerCount(); l++) {
            LayerStrategy s = plan.layers().get(l);
            int megatronTp = s.isUlysses() ? 1 : s.tp();
            int shard = s.isZero3() ? Math.max(1, stageGpus / megatronTp) : 1;
            var e = plan.experts().get(l);
            int expertShard = s.isZero3() ? Math.max(1, stageGpus / (e.ep() * e.expertTp())) : 1;
            out[stageOf[l]] += count.layerPerGpu(l, megatronTp, shard, e.ep(), e.expertTp(), expertShard);
        }
        int vtp = plan.vocabUlysses() ? 1 : plan.vocabTp();
        int vocabShard = plan.embedSdp() ? Math.max(1, stageGpus / vtp) : 1;
        double rows = (double) architecture.vocabSize() * architecture.hiddenSize() / vtp;
        double positions = (double) architecture.learnedPositions() * architecture.hiddenSize();
        double norm = architecture.layerNorm() ? 2.0 * architecture.hiddenSize() : architecture.hiddenSize();
        out[0] += (rows + positions) / vocabShard;
        boolean headCopy = !architecture.tiedEmbeddings() || pp > 1;
        out[pp - 1] += (norm + (headCopy ? rows : 0)) / vocabShard;
        return out;
    }
}
