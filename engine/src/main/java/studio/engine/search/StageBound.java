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
     * One stage table's relaxation with its hulls worked out once, for any mix of layer types: the division search
     * asks it of every stage a degree can have. Each type starts at its lightest hull point; the hulls' pieces,
     * merged cheapest time per MB first (ties in type, then hull order), are then taken while the budget lasts.
     */
    static final class Relaxation {
        private final int[] baseMb;
        private final double[] baseS;
        /** Per type, whether no strategy is allowed (a stage holding one cannot fit). */
        private final boolean[] none;
        /** The hulls' pieces, merged: MB more, seconds saved per MB, layer type. */
        private final double[] pieceMb;
        private final double[] pieceSlope;
        private final int[] pieceType;

        Relaxation(int[][] weightMb, double[][] timeS) {
            int types = weightMb.length;
            baseMb = new int[types];
            baseS = new double[types];
            none = new boolean[types];
            List<double[]> pieces = new ArrayList<>(); // {MB more, seconds saved per MB, type}
            for (int t = 0; t < types; t++) {
                int[] hull = hull(weightMb[t], timeS[t]);
                none[t] = hull.length == 0;
                if (none[t]) continue;
                baseMb[t] = weightMb[t][hull[0]];
                baseS[t] = timeS[t][hull[0]];
                for (int h = 1; h < hull.length; h++) {
                    int a = hull[h - 1];
                    int b = hull[h];
                    double dw = weightMb[t][b] - weightMb[t][a];
                    pieces.add(new double[] {dw, (timeS[t][a] - timeS[t][b]) / dw, t});
                }
            }
            // a stable sort: equal slopes stay in type, then hull, order
            pieces.sort((x, y) -> Double.compare(y[1], x[1]));
            pieceMb = new double[pieces.size()];
            pieceSlope = new double[pieces.size()];
            pieceType = new int[pieces.size()];
            for (int i = 0; i < pieces.size(); i++) {
                pieceMb[i] = pieces.get(i)[0];
                pieceSlope[i] = pieces.get(i)[1];
                pieceType[i] = (int) pieces.get(i)[2];
            }
        }

        /**
         * @param layersOfType how many of the stage's layers are of each type
         * @param budgetMb     what the stage's layers may use
         * @return the least time, or +inf when even the lightest strategies do not fit
         */
        double leastTimeS(int[] layersOfType, long budgetMb) {
            double time = 0;
            long used = 0;
            for (int t = 0; t < layersOfType.length; t++) {
                int n = layersOfType[t];
                if (n == 0) continue;
                if (none[t]) return INF;
                used += (long) n * baseMb[t];
                time += n * baseS[t];
            }
            if (used > budgetMb) return INF;
            double left = budgetMb - used;
            for (int i = 0; i < pieceMb.length; i++) {
                if (left <= 0) break;
                int n = layersOfType[pieceType[i]];
                if (n == 0) continue;
                double take = Math.min(left, pieceMb[i] * n);
                time -= take * pieceSlope[i];
                left -= take;
            }
            return Math.max(0, time);
        }
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
