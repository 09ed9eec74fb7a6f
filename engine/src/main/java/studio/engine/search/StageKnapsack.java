package studio.engine.search;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Galvatron's per-stage multiple-choice knapsack (dp_core.cpp, search-engine spec §6.5), solved exactly but on
 * step functions instead of a dense {@code [budget][strategy]} table.
 *
 * <p>Galvatron's {@code f[v][s]} (the least time of the layers so far, ending in strategy s, within v MB) is a
 * non-increasing step function of v. Each layer maps the previous functions through
 * {@code f'[v][s] = min_s' (f[v - w_s][s'] + X[s'][s]) + T_s}; on every interval where all previous functions are
 * constant, the candidates, their first argmin and the result are the same numbers Galvatron's dense loop computes
 * at each v of that interval. So the values, the back-pointers ("marks") and the reconstructed plan are identical
 * to Galvatron's, at a cost proportional to the number of steps rather than to the budget in MB.
 *
 * <p>All depths are kept, so one run answers "the best plan for the first d layers" for every d (the pipeline
 * division search uses that). Layers are built as deep as a query asks and no deeper: the studio's division search
 * keeps one knapsack as deep as a stage can be, but asks only a few layers past the even division.
 *
 * <p>Where the plan that the same recursion finds without memory (one value and first argmin per layer and
 * strategy) fits the budget asked, it is the dense loop's answer too: by induction over the layers, {@code f[u][s]}
 * has its memoryless value and mark once {@code u} holds the weights of that plan's chain into {@code s} (the mark's
 * function has then taken its last step; every earlier strategy's candidate is strictly larger without memory,
 * and memory only raises it), and the reconstruction stays on that chain. Such a query is answered from it, and
 * the step functions are built only on the first query that memory does bind (for most knapsacks, none does).
 */
public final class StageKnapsack {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final int layers;
    private final int strategies;
    private final int budget;
    private final int[][] weight;
    private final double[][] time;
    private final double[][][] transition;
    /**
     * Per layer and strategy, the recursion without memory: f_l[s], its first argmin and the weight of the chain of
     * marks into it, MB; rows below {@code freeLayers} are built (each once, under the lock) and never change.
     */
    private final double[][] freeValues;
    private final short[][] freeMarks;
    private final long[][] freeChainMb;
    private volatile int freeLayers;
    /** Per layer l and strategy s: segment starts, values and marks of f_l[.][s]; built below {@code stepLayers}. */
    private final int[][][] starts;
    private final double[][][] values;
    private final short[][][] marks;
    private volatile int stepLayers;
    /** The steps of the built layers. */
    private volatile long builtSteps;
    private final Consumer<StageKnapsack> onStepsBuilt;

    /** A plan for some depth and budget: the per-layer strategy indices, its DP time and the MB left. */
    public record Solution(int[] strategyIndex, double time, int remainingMb) {
        public boolean feasible() { return remainingMb >= 0; }
    }

    /**
     * @param weight   {@code w[l][s]}, integer MB (>= 1)
     * @param time     {@code T[l][s]}, seconds (+inf forbids the strategy at that layer)
     * @param transition {@code X[l][s'][s]}, seconds
     * @param budget   M, MB
     */
    public StageKnapsack(int[][] weight, double[][] time, double[][][] transition, int budget) {
        this(weight, time, transition, budget, null);
    }

    /** As above; {@code onStepsBuilt} (may be null) hears of the knapsack each time its step functions grow. */
    StageKnapsack(int[][] weight, double[][] time, double[][][] transition, int budget, Consumer<StageKnapsack> onStepsBuilt) {
        this.layers = weight.length;
        this.strategies = layers == 0 ? 0 : weight[0].length;
        this.budget = budget;
        this.weight = weight;
        this.time = time;
        this.transition = transition;
        this.onStepsBuilt = onStepsBuilt;
        this.freeValues = new double[layers][];
        this.freeMarks = new short[layers][];
        this.freeChainMb = new long[layers][];
        this.starts = new int[layers][][];
        this.values = new double[layers][][];
        this.marks = new short[layers][][];
    }

    public int layers() { return layers; }

    /** Builds the recursion without memory for the first {@code depth} layers: what a query answers where its plan fits. */
    private void buildFree(int depth) {
        if (freeLayers >= depth) return;
        synchronized (this) {
            int ns = strategies;
            for (int l = freeLayers; l < depth; l++) {
                double[][] x = transition[l];
                double[] previous = l == 0 ? new double[ns] : freeValues[l - 1];
                double[] value = new double[ns];
                short[] mark = new short[ns];
                long[] chain = new long[ns];
                for (int s = 0; s < ns; s++) {
                    double best = INF;
                    int arg = 0;
                    if (time[l][s] < INF && weight[l][s] >= 0) {
                        // the same sums, in the same order, as the sweep's last point (layer 0: from f_{-1} = 0)
                        for (int sp = 0; sp < ns; sp++) {
                            double c = (previous[sp] + x[sp][s]) + time[l][s];
                            if (c < best) {
                                best = c;
                                arg = sp;
                            }
                        }
                    }
                    value[s] = best;
                    mark[s] = (short) arg;
                    chain[s] = weight[l][s] + (l == 0 ? 0 : freeChainMb[l - 1][arg]);
                }
                freeValues[l] = value;
                freeMarks[l] = mark;
                freeChainMb[l] = chain;
                freeLayers = l + 1;
            }
        }
    }

    /**
     * Builds the step functions of the first {@code depth} layers, on the first query that memory binds at that
     * depth; {@code cancelled} is polled before each layer, and a cancelled build keeps only the layers it finished.
     */
    private void buildSteps(int depth, BooleanSupplier cancelled) {
        if (stepLayers >= depth) return;
        boolean grew;
        synchronized (this) {
            int from = stepLayers;
            try {
                if (from < depth) sweepLayers(from, depth, cancelled);
            } finally {
                grew = stepLayers > from;
            }
        }
        if (grew && onStepsBuilt != null) onStepsBuilt.accept(this);
    }

    /** The step functions of layers {@code from..to-1}, layer by layer (the lock held). */
    private void sweepLayers(int from, int to, BooleanSupplier cancelled) {
        int ns = strategies;
        double[][][] x = transition;
        buildFree(to);
        int[] pointOf = null;
        Dominance dominance = null;
        for (int l = from; l < to; l++) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
            starts[l] = new int[ns][];
            values[l] = new double[ns][];
            marks[l] = new short[ns][];
            long layerSteps = 0;
            if (l == 0) {
                // layer 0 (f_{-1} = 0 everywhere) is one step, at its weight, to the value without memory
                double[] first = freeValues[0];
                for (int s = 0; s < ns; s++) {
                    int w = weight[0][s];
                    boolean fits = w <= budget && first[s] < INF;
                    starts[0][s] = fits ? new int[] {w} : new int[0];
                    values[0][s] = fits ? new double[] {first[s]} : new double[0];
                    marks[0][s] = fits ? new short[] {freeMarks[0][s]} : new short[0];
                    layerSteps += fits ? 1 : 0;
                }
                builtSteps += layerSteps;
                stepLayers = 1;
                continue;
            }
            if (pointOf == null) pointOf = new int[budget + 1];
            int[][] ps = starts[l - 1];
            double[][] pv = values[l - 1];
            // Union of the previous layer's step starts (a bitmap: starts lie in [0, budget]) ...
            long[] bits = new long[(budget >> 6) + 1];
            int events = 0;
            for (int s = 0; s < ns; s++) {
                for (int v : ps[s]) bits[v >> 6] |= 1L << (v & 63);
                events += ps[s].length;
            }
            int u = 0;
            for (long b : bits) u += Long.bitCount(b);
            int[] union = new int[u];
            int at = 0;
            for (int wi = 0; wi < bits.length; wi++) {
                long b = bits[wi];
                while (b != 0) {
                    int v = (wi << 6) + Long.numberOfTrailingZeros(b);
                    pointOf[v] = at;
                    union[at++] = v;
                    b &= b - 1;
                }
            }
            // ... and, at each point, which previous functions step down and to what (counting sort by point).
            int[] offset = new int[u + 1];
            for (int s = 0; s < ns; s++) for (int v : ps[s]) offset[pointOf[v] + 1]++;
            for (int k = 0; k < u; k++) offset[k + 1] += offset[k];
            int[] fill = Arrays.copyOf(offset, u);
            int[] evS = new int[events];
            double[] evV = new double[events];
            for (int s = 0; s < ns; s++) {
                int[] st = ps[s];
                double[] va = pv[s];
                for (int i = 0; i < st.length; i++) {
                    int e = fill[pointOf[st[i]]]++;
                    evS[e] = s;
                    evV[e] = va[i];
                }
            }
            // Drop the steps that can never be any strategy's argmin (dominated, see Dominance): the sweep below
            // then visits only the points and steps that can change a result. Layers that share their transition
            // and time rows (identical layers do, by reference) share one Dominance.
            if (dominance == null || !dominance.covers(x[l], time[l])) dominance = new Dominance(x[l], time[l]);
            int kept = dominance.prune(union, offset, evS, evV, u, ns);
            int[] bufS = new int[kept];
            double[] bufV = new double[kept];
            short[] bufM = new short[kept];
            double[] col = new double[ns];
            for (int s = 0; s < ns; s++) {
                if (cancelled != null && (s & 7) == 7 && cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                int w = weight[l][s];
                double t = time[l][s];
                int cnt = 0;
                if (t < INF && w >= 0) {
                    for (int sp = 0; sp < ns; sp++) col[sp] = x[l][sp][s];
                    // Sweep the points: previous functions only step down, so each candidate (f + X) + T only drops
                    // and the running first-argmin is exactly Galvatron's argmin over all s' at that point.
                    double best = INF;
                    int arg = Integer.MAX_VALUE;
                    for (int k = 0; k < kept; k++) {
                        long v = (long) union[k] + w;
                        if (v > budget) break;
                        for (int e = offset[k]; e < offset[k + 1]; e++) {
                            int sp = evS[e];
                            double c = (evV[e] + col[sp]) + t;
                            if (c < best || (c == best && sp < arg)) {
                                best = c;
                                arg = sp;
                            }
                        }
                        if (best == INF) continue;
                        if (cnt > 0 && bufV[cnt - 1] == best && bufM[cnt - 1] == arg) continue;
                        bufS[cnt] = (int) v;
                        bufV[cnt] = best;
                        bufM[cnt] = (short) arg;
                        cnt++;
                    }
                }
                starts[l][s] = Arrays.copyOf(bufS, cnt);
                values[l][s] = Arrays.copyOf(bufV, cnt);
                marks[l][s] = Arrays.copyOf(bufM, cnt);
                layerSteps += cnt;
            }
            builtSteps += layerSteps;
            stepLayers = l + 1;
        }
    }

    /**
     * Which previous steps cannot win anywhere. A step of f[s'] down to {@code val} at v is useless to every next
     * strategy s if some s'' already has {@code f[s''](v) + X[s''][s] < val + X[s'][s]} for every s, with a margin
     * far above the rounding of those sums, so that even after rounding s'' is strictly cheaper: s' is then neither
     * the minimum nor a tied first argmin at v, nor at any later point before its own next step (f[s''] only drops).
     * Dropping it changes no value and no mark. {@code worse[a][b]} is the most that a transition from b can cost
     * over one from a, over the strategies the layer allows.
     */
    private static final class Dominance {
        private final double[][] x;
        private final double[] time;
        /** Filled on first use (NaN until then): a sweep asks for few pairs, and small stages would pay ns^3 up front. */
        private final double[][] worse;
        private final double scale;

        Dominance(double[][] x, double[] time) {
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

    private int segment(int l, int s, int v) {
        int[] st = starts[l][s];
        int lo = 0;
        int hi = st.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (st[mid] <= v) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The best plan for the first {@code depth} layers within {@code budgetMb}, reconstructed as Galvatron does. */
    public Solution solve(int depth, int budgetMb) {
        return solve(depth, budgetMb, null);
    }

    /**
     * As {@link #solve(int, int)}; {@code cancelled} (may be null) is polled once per layer while the step functions
     * are built.
     *
     * @throws IllegalArgumentException when {@code depth} is deeper than the knapsack
     */
    public Solution solve(int depth, int budgetMb, BooleanSupplier cancelled) {
        if (depth > layers) throw new IllegalArgumentException("depth " + depth + " past the knapsack's " + layers + " layers");
        if (budgetMb < 0 || depth <= 0) return new Solution(null, INF, -1);
        int b = Math.min(budgetMb, budget);
        int last = depth - 1;
        buildFree(depth);
        int arg = firstLeast(freeValues[last]);
        double best = freeValues[last][arg];
        // memory only raises values: nothing without memory, nothing with it
        if (best == INF) return new Solution(null, INF, -1);
        boolean free = freeChainMb[last][arg] <= b;
        if (!free) {
            buildSteps(depth, cancelled);
            double[] atBudget = new double[strategies];
            for (int s = 0; s < strategies; s++) atBudget[s] = value(depth, s, b);
            arg = firstLeast(atBudget);
            best = atBudget[arg];
            if (best == INF) return new Solution(null, INF, -1);
        }
        int[] res = new int[depth];
        res[last] = arg;
        int v = b;
        for (int l = last; l >= 1; l--) {
            int cur = res[l];
            res[l - 1] = free ? freeMarks[l][cur] : marks[l][cur][segment(l, cur, v)];
            v -= weight[l][cur];
        }
        int remain = v - weight[0][res[0]] + (budgetMb - b);
        return new Solution(res, best, remain);
    }

    /** The first strategy of least value, as Galvatron picks the last layer's (0 where every value is infinite). */
    private static int firstLeast(double[] value) {
        double best = INF;
        int arg = 0;
        for (int s = 0; s < value.length; s++) {
            if (value[s] < best) {
                best = value[s];
                arg = s;
            }
        }
        return arg;
    }

    /** Galvatron's {@code f[v][s]} after {@code depth} layers (from the step functions). */
    private double value(int depth, int s, int v) {
        int seg = segment(depth - 1, s, v);
        return seg < 0 ? INF : values[depth - 1][s][seg];
    }

    /** Whether some query has needed the step functions. */
    public boolean stepsBuilt() { return stepLayers > 0; }

    /** The layers whose step functions are built (as deep as a query that memory binds has asked). */
    int stepLayers() { return stepLayers; }

    /** Steps kept over all layers (what the knapsack holds in memory; before the step functions, one per strategy). */
    public long totalSteps() {
        return builtSteps + (long) layers * strategies;
    }
}
