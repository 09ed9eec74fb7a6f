package studio.engine.search;

import java.util.Arrays;

/**
 * Which previous steps of a {@link StageKnapsack} layer cannot win anywhere. A step of f[s'] down to {@code val} at v is useless to every next
 * strategy s if some s'' already has {@code f[s''](v) + X[s''][s] < val + X[s'][s]} for every s, with a margin
 * far above the rounding of those sums, so that even after rounding s'' is strictly cheaper: s' is then neither
 * the minimum nor a tied first argmin at v, nor at any later point before its own next step (f[s''] only drops).
 * Dropping it changes no value and no mark. {@code worse[a][b]} is the most that a transition from b can cost
 * over one from a, over the strategies the layer allows.
 */
final class StepDominance {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final double[][] x;
    private final double[] time;
    /** Filled on first use (NaN until then): a sweep asks for few pairs, and small stages would pay ns^3 up front. */
    private final double[][] worse;
    private final double scale;

    StepDominance(double[][] x, double[] time) {
        this.x = x;
        this.time = time;
        int ns = time.length;
        worse = new double[ns][ns];
        for (double[] row : worse) Arrays.fill(row, Double.NaN);
        double largest = 0;
        for (int s = 0; s < ns; s++) {
            if (time[s] < INF) largest = Math.max(largest, Math.abs(time[s]));
            for (int sp = 0; sp < ns; sp++) largest = Math.max(largest, Math.abs(x[sp][s]));
        }
        scale = largest;
    }

    boolean covers(double[][] transition, double[] layerTime) { return transition == x && layerTime == time; }

    private double worse(int a, int b) {
        double known = worse[a][b];
        if (known == known) return known;
        double most = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < time.length; s++) if (time[s] < INF) most = Math.max(most, x[b][s] - x[a][s]);
        worse[a][b] = most;
        return most;
    }

    /**
     * Compacts, in place, the points and steps that may still win to the front of {@code union}, {@code offset},
     * {@code evS} and {@code evV} (each write lands at or before what is still to be read); returns how many
     * points are kept.
     */
    int prune(int[] union, int[] offset, int[] evS, double[] evV, int points, int ns) {
        double[] current = new double[ns];
        Arrays.fill(current, INF);
        int[] dominator = new int[ns];
        Arrays.fill(dominator, -1);
        int lowest = -1;
        int keptPoints = 0;
        int keptSteps = 0;
        for (int k = 0; k < points; k++) {
            int first = keptSteps;
            int end = offset[k + 1];
            for (int e = offset[k]; e < end; e++) {
                int a = evS[e];
                double val = evV[e];
                double bar = val - 1e-12 * (1 + Math.abs(val) + scale);
                boolean dominated = false;
                int b = dominator[a];
                if (b >= 0 && current[b] + worse(a, b) < bar) {
                    dominated = true;
                } else if (lowest >= 0 && lowest != a && current[lowest] + worse(a, lowest) < bar) {
                    dominated = true;
                    dominator[a] = lowest;
                }
                current[a] = val;
                if (lowest < 0 || val < current[lowest]) lowest = a;
                if (!dominated) {
                    evS[keptSteps] = a;
                    evV[keptSteps] = val;
                    keptSteps++;
                }
            }
            if (keptSteps > first) {
                union[keptPoints] = union[k];
                offset[keptPoints] = first;
                keptPoints++;
            }
        }
        offset[keptPoints] = keptSteps;
        return keptPoints;
    }
}
