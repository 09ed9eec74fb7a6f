package studio.engine.search;

import studio.engine.cost.CostModel;
import studio.engine.model.ModelDescription;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Galvatron's pipeline divisions (search-engine spec §6.8): even for one layer type, memory-balanced for several. */
public final class PipelineDivision {
    private PipelineDivision() {
    }

    public static List<Integer> even(int layers, int pp) {
        return ParallelPlan.evenDivision(layers, pp);
    }

    /** Galvatron's {@code pp_division_memory_balanced}. */
    public static List<Integer> memoryBalanced(CostModel cm, int pp, int globalBatch, int mbsz) {
        ModelDescription model = cm.profiles().model();
        int total = model.totalLayers();
        if (pp == 1) return List.of(total);
        int world = cm.options().worldSize();
        LayerStrategy probe = new LayerStrategy(pp, 1, world / pp, -1, -1, -1, false);
        double[] perType = new double[model.layerTypes().size()];
        for (int i = 0; i < perType.length; i++) {
            perType[i] = cm.layerMemory(probe, cm.profiles().layerMemory().get(i), globalBatch, mbsz, 1, 0, PipelineType.GPIPE).totalMb();
        }
        Map<Integer, double[]> other = cm.otherMemory(probe, globalBatch, mbsz, 1, 1, false, false, PipelineType.GPIPE);
        double[] o = other.containsKey(1) ? other.get(1) : new double[pp];
        double[] lay = new double[total];
        for (int l = 0; l < total; l++) lay[l] = perType[model.typeOfLayer(l)];
        double sum = 0;
        for (double x : lay) sum += x;
        for (double x : o) sum += x;
        double avg = sum / pp;
        int[] div = new int[pp];
        double[] acc = o.clone();
        int idx = 0;
        for (int i = 0; i < pp; i++) {
            while (idx < lay.length) {
                if (i < pp - 1 && avg - acc[i] < 0.5 * lay[idx]) break;
                acc[i] += lay[idx];
                idx++;
                div[i]++;
            }
        }
        for (int i = 0; i < pp - 1; i++) {
            int r = 0;
            for (int j = 0; j <= i; j++) r += div[j];
            double cur = o[i];
            for (int l = r - div[i]; l < r; l++) cur += lay[l];
            while (cur > 1.3 * avg && div[i] > 0) {
                div[i]--;
                div[i + 1]++;
                r--;
                cur -= lay[r];
            }
        }
        for (int i = 0; i < pp - 1; i++) {
            while (div[i] <= 0) {
                div[i]++;
                div[i + 1]--;
            }
        }
        for (int i = pp - 1; i >= 1; i--) {
            while (div[i] <= 0) {
                div[i]++;
                div[i - 1]--;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int d : div) out.add(d);
        return out;
    }
}
