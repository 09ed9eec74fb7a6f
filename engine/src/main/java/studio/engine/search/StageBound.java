package studio.engine.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A lower bound on a stage's compute time under its memory budget: the linear relaxation of the stage knapsack
 * (search-engine spec §6.5) without transitions (which are never negative). Each layer may take any mix of the
 * points on the lower convex hull of its strategies' (memory, time); the least total time within the budget is then
 * found greedily, cheapest time per MB first. No whole-strategy plan that fits is faster, so a pipeline degree whose
 * bound already loses need not be searched.
 */
final class StageBound {
    private static final double INF = Double.POSITIVE_INFINITY;

    private StageBound() {
    }

    /**
     * @param weightMb      [type][strategy] MB of one layer
     * @param timeS         [type][strategy] seconds of one layer (+inf: not allowed)
     * @param layersOfType  how many of the stage's layers are of each type
     * @param budgetMb      what the stage's layers may use
     * @return the least time, or +inf when even the lightest strategies do not fit
     */
    static double leastTimeS(int[][] weightMb, double[][] timeS, int[] layersOfType, long budgetMb) {
        double time = 0;
        long used = 0;
        List<double[]> steps = new ArrayList<>(); // {MB more, seconds saved per MB, layers}
        for (int t = 0; t < layersOfType.length; t++) {
            int n = layersOfType[t];
            if (n == 0) continue;
            int[] hull = hull(weightMb[t], timeS[t]);
            if (hull.length == 0) return INF;
            used += (long) n * weightMb[t][hull[0]];
            time += n * timeS[t][hull[0]];
            for (int h = 1; h < hull.length; h++) {
                int a = hull[h - 1];
                int b = hull[h];
                double dw = weightMb[t][b] - weightMb[t][a];
                steps.add(new double[] {dw, (timeS[t][a] - timeS[t][b]) / dw, n});
            }
        }
        if (used > budgetMb) return INF;
        steps.sort((x, y) -> Double.compare(y[1], x[1]));
        double left = budgetMb - used;
        for (double[] s : steps) {
            if (left <= 0) break;
            double take = Math.min(left, s[0] * s[2]);
            time -= take * s[1];
            left -= take;
        }
        return Math.max(0, time);
    }

    /**
     * Many layers of one type: their relaxation at once. Within a budget it is each layer's hull at an equal share of
     * it, and the hull, convex and piecewise linear, is the largest of its pieces' lines: {@code count} layers within
     * {@code budgetMb} take at least {@code max_j(count * intercept_j + slope_j * budgetMb)}, a few multiply-adds (a
     * knapsack asks this of every step it keeps).
     */
    static final class IdenticalLayers {
        private final int[] hull;
        private final long lightestMb;
        private final double[] intercept;
        private final double[] slope;

        IdenticalLayers(int[] weightMb, double[] timeS) {
            hull = hull(weightMb, timeS);
            lightestMb = hull.length == 0 ? Long.MAX_VALUE : weightMb[hull[0]];
            int pieces = hull.length;
            intercept = new double[pieces];
            slope = new double[pieces];
            for (int j = 0; j + 1 < pieces; j++) {
                int a = hull[j];
                int b = hull[j + 1];
                slope[j] = (timeS[b] - timeS[a]) / (weightMb[b] - weightMb[a]);
                intercept[j] = timeS[a] - slope[j] * weightMb[a];
            }
            // past the heaviest hull point: its time, flat
            if (pieces > 0) intercept[pieces - 1] = timeS[hull[pieces - 1]];
        }

        /** The strategies on the hull, lightest first. */
        int[] hullStrategies() { return hull.clone(); }

        /** The lightest strategy's weight, MB (what each layer needs at least). */
        long lightestMb() { return lightestMb; }

        /** The least time of {@code count} layers within {@code budgetMb}; +inf where even the lightest strategy does not fit. */
        double leastTimeS(int count, long budgetMb) {
            if (count == 0) return budgetMb >= 0 ? 0 : INF;
            if (lightestMb == Long.MAX_VALUE || (long) count * lightestMb > budgetMb) return INF;
            double least = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < intercept.length; j++) least = Math.max(least, count * intercept[j] + slope[j] * budgetMb);
            return Math.max(0, least);
        }
    }

    /** The strategies on the lower convex hull of (weight, time), lightest first, each faster than the one before. */
    private static int[] hull(int[] weight, double[] time) {
        Integer[] order = new Integer[weight.length];
        int count = 0;
        for (int s = 0; s < weight.length; s++) if (time[s] < INF && weight[s] >= 0) order[count++] = s;
        order = Arrays.copyOf(order, count);
        Arrays.sort(order, (a, b) -> weight[a] != weight[b] ? Integer.compare(weight[a], weight[b]) : Double.compare(time[a], time[b]));
        int[] stack = new int[count];
        int top = 0;
        for (int s : order) {
            // only strictly faster points extend the frontier; then keep it convex
            if (top > 0 && time[s] >= time[stack[top - 1]]) continue;
            while (top >= 2 && cross(weight, time, stack[top - 2], stack[top - 1], s) <= 0) top--;
            stack[top++] = s;
        }
        return Arrays.copyOf(stack, top);
    }

    /** Whether b lies on or above the segment a-c (then it is not on the lower hull). */
    private static double cross(int[] w, double[] t, int a, int b, int c) {
        // slope(a, b) must be more negative than slope(b, c) for b to stay: (t_b - t_a)/(w_b - w_a) < (t_c - t_b)/(w_c - w_b)
        double left = (t[b] - t[a]) * (w[c] - w[b]);
        double right = (t[c] - t[b]) * (w[b] - w[a]);
        return right - left;
    }
}
