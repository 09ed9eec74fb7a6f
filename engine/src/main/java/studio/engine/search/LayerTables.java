package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.cost.LayerTime;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;

import java.util.List;

/**
 * What the knapsacks of one pipeline degree read (search-engine spec §6.4): per layer type and strategy the time with
 * and without gradient sync, the memory weight per stage's table, and the transition matrix.
 */
final class LayerTables {
    final List<LayerStrategy> strategies;
    final int pp;
    final int microBatchSize;
    /** {@code ceil(L_p / m_p)}, as Galvatron keeps it. */
    final double chunks;
    final int types;
    /** [type][strategy] seconds with gradient sync. */
    final double[][] withSyncS;
    /** [type][strategy] seconds without it. */
    final double[][] withoutSyncS;
    /** [memory table][type][strategy] MB rounded up; one table per stage under 1F1B, one for all under GPipe. */
    final int[][][] weightMb;
    /** [memory table][type]: the lightest strategy's weight (what the least memory need is made of). */
    final int[][] lightestMb;
    /** [type][previous strategy][strategy] seconds, built when a knapsack first needs them (a sweep leaves many degrees out). */
    private final double[][][] transitionS;
    private final CostModel costModel;
    private final int minTp;

    LayerTables(CostModel costModel, List<LayerStrategy> strategies, int pp, int globalBatch, int microBatchSize, int minTp) {
        this.strategies = strategies;
        this.costModel = costModel;
        this.minTp = minTp;
        this.pp = pp;
        this.microBatchSize = microBatchSize;
        this.types = costModel.profiles().model().layerTypes().size();
        int world = costModel.options().worldSize();
        int localBatch = globalBatch / (world / pp / minTp);
        this.chunks = Math.ceil((double) localBatch / microBatchSize);
        double microBatch = globalBatch / chunks;
        int count = strategies.size();
        withSyncS = new double[types][count];
        withoutSyncS = new double[types][count];
        transitionS = new double[types][][];
        for (int t = 0; t < types; t++) {
            for (int i = 0; i < count; i++) {
                LayerTime time = costModel.layerTime(strategies.get(i), t, microBatch);
                withSyncS[t][i] = time.totalS();
                withoutSyncS[t][i] = time.noCommS();
            }
        }
        int tables = costModel.options().pipelineType() == PipelineType.PIPEDREAM_FLUSH ? pp : 1;
        weightMb = new int[tables][types][count];
        lightestMb = new int[tables][types];
        for (int j = 0; j < tables; j++) {
            for (int t = 0; t < types; t++) {
                int lightest = Integer.MAX_VALUE;
                for (int i = 0; i < count; i++) {
                    weightMb[j][t][i] = (int) Math.ceil(costModel.layerMemory(strategies.get(i), t, globalBatch, microBatchSize, minTp, j).totalMb());
                    lightest = Math.min(lightest, weightMb[j][t][i]);
                }
                lightestMb[j][t] = lightest;
            }
        }
    }

    /** {@code X[previous][strategy]} of layer type {@code type}, seconds. */
    double[][] transitionS(int type) {
        if (transitionS[type] == null) transitionS[type] = costModel.transitionCost(strategies, type, microBatchSize, minTp);
        return transitionS[type];
    }

    /** The memory table a stage reads. */
    int memoryTable(int stage) { return weightMb.length == 1 ? 0 : stage; }
}
