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
 *
 * <p>Where every layer is the same (a single-type model's stage), a build may keep only the steps that can lie on
 * the plan of the queries it was built for (depths, and budgets from lowest to highest): a step whose value, plus
 * the least time the layers after it can take within what the highest budget leaves ({@link StageBound}'s
 * relaxation), exceeds an upper bound on every such answer is dropped. The optimal plans, their tied first
 * argmins and every step they read survive (what is kept only ever looks more expensive, and what lies on an optimal
 * plan passes the test by construction), so the answers are the dense loop's. The upper bound is the lower of the
 * relaxation at the lowest budget plus 1 % and the time of a plan that fits that budget; an answer above it proves
 * the 1 % too little, and the build is redone with the plan's time, which no answer exceeds. A query outside the
 * window widens it (a few times, then the build is exact).
 */
public final class StageKnapsack {
    private static final double INF = Double.POSITIVE_INFINITY;
    /**
     * How far above the relaxation a windowed build first expects the answers (where that is below a plan's time);
     * after an answer above it, the bound is the plan's time.
     */
    private static final double SLACK = 0.01;
    /** A windowed build covers at most this many depths; asked at more, the knapsack builds exactly. */
    private static final int WINDOW_DEPTHS = 3;
    /** Windowed builds per knapsack before it builds exactly. */
    private static final int WINDOW_BUILDS = 4;

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
    /** Per depth, the lightest plan's weight, MB: a budget below it fits nothing. */
    private final long[] lightestMb;
    private volatile int freeLayers;
    /** Where every layer is the same and no transition is negative, their relaxation (else null: exact builds only). */
    private final StageBound.IdenticalLayers sameLayers;
    /** The step functions built so far (null before the first query that memory binds). */
    private volatile Steps steps;
    /** Windowed builds so far (under the lock). */
    private int windowBuilds;
    private final Consumer<StageKnapsack> onStepsBuilt;

    /** A plan for some depth and budget: the per-layer strategy indices, its DP time and the MB left. */
    public record Solution(int[] strategyIndex, double time, int remainingMb) {
        public boolean feasible() { return remainingMb >= 0; }
    }

    /**
     * The queries a windowed build answers: at each of {@code depths}, budgets from {@code lowestMb} to
     * {@code highestMb}, with answers no slower than {@code upperS}.
     */
    private record Window(int[] depths, int[] lowestMb, int[] highestMb, boolean tight, double[] upperS) {
        int index(int depth) {
            for (int i = 0; i < depths.length; i++) if (depths[i] == depth) return i;
            return -1;
        }

        boolean answers(int depth, int lowMb, int highMb) {
            int i = index(depth);
            return i >= 0 && lowestMb[i] <= lowMb && highMb <= highestMb[i];
        }

        int deepest() { return Arrays.stream(depths).max().orElse(0); }
    }

    /** Step functions of the first {@code layers} layers; a windowed build's are complete when published. */
    private static final class Steps {
        final int[][][] starts;
        final double[][][] values;
        final short[][][] marks;
        /** null: exact at every depth and budget, grown a layer at a time. */
        final Window window;
        volatile int layers;
        volatile long count;

        Steps(int capacity, Window window) {
            this.starts = new int[capacity][][];
            this.values = new double[capacity][][];
            this.marks = new short[capacity][][];
            this.window = window;
        }

        boolean answers(int depth, int lowMb, int highMb) {
            return window == null ? layers >= depth : window.answers(depth, lowMb, highMb);
        }

        int segment(int l, int s, int v) {
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

        /** Galvatron's {@code f[v][s]} after {@code depth} layers. */
        double value(int depth, int s, int v) {
            int seg = segment(depth - 1, s, v);
            return seg < 0 ? INF : values[depth - 1][s][seg];
        }
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

    /** As above; {@code onStepsBuilt} (may be null) hears of the knapsack each time its step functions change. */
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
        this.lightestMb = new long[layers];
        this.sameLayers = sameLayers(weight, time, transition);
    }

    /** The relaxation of identical layers, where the rows are one and the same and no transition is negative. */
    private static StageBound.IdenticalLayers sameLayers(int[][] weight, double[][] time, double[][][] transition) {
        if (weight.length < 2) return null;
        for (int l = 1; l < weight.length; l++) if (weight[l] != weight[0] || time[l] != time[0]) return null;
        for (int l = 0; l < transition.length; l++) {
            if (l > 0 && transition[l] == transition[l - 1]) continue;
            for (double[] row : transition[l]) for (double x : row) if (!(x >= 0 && x < INF)) return null;
        }
        for (int w : weight[0]) if (w < 0) return null;
        return new StageBound.IdenticalLayers(weight[0], time[0]);
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
                long lightest = Long.MAX_VALUE;
                for (int s = 0; s < ns; s++) {
                    double best = INF;
                    int arg = 0;
                    if (time[l][s] < INF && weight[l][s] >= 0) {
                        lightest = Math.min(lightest, weight[l][s]);
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
                long before = l == 0 ? 0 : lightestMb[l - 1];
                lightestMb[l] = lightest == Long.MAX_VALUE || before == Long.MAX_VALUE ? Long.MAX_VALUE : before + lightest;
                freeValues[l] = value;
                freeMarks[l] = mark;
                freeChainMb[l] = chain;
                freeLayers = l + 1;
            }
        }
    }

    /**
     * Step functions that answer {@code depth} at budgets {@code lowMb..highMb}: those built, else built now (polling
     * {@code cancelled} before each layer; a cancelled build keeps only the exact layers it finished). Where
     * {@code rejected} (may be null) is still the current build, an answer of it came out above its tight bound: it is
     * rebuilt bounded by the plan, or exactly.
     */
    private Steps stepsFor(int depth, int lowMb, int highMb, Steps rejected, BooleanSupplier cancelled) {
        Steps st = steps;
        if (st != null && st != rejected && st.answers(depth, lowMb, highMb)) return st;
        boolean changed;
        synchronized (this) {
            st = steps;
            if (st != null && st != rejected && st.answers(depth, lowMb, highMb)) return st;
            Steps before = st;
            long counted = st == null ? 0 : st.count;
            try {
                if (rejected != null && st == rejected) {
                    Window w = st.window;
                    boolean loosen = w.tight() && windowBuilds < WINDOW_BUILDS;
                    st = build(loosen ? window(w.depths(), w.lowestMb(), w.highestMb(), false) : null, depth, cancelled);
                } else if (st != null && st.window == null) {
                    sweepLayers(st, st.layers, depth, cancelled);
                } else {
                    st = build(widened(st == null ? null : st.window, depth, lowMb, highMb), depth, cancelled);
                }
            } finally {
                changed = steps != before || (steps != null && steps.count != counted);
            }
        }
        if (changed && onStepsBuilt != null) onStepsBuilt.accept(this);
        return st;
    }

    /** A fresh build for {@code window} (exact where null, as deep as {@code depth}), published once complete. */
    private Steps build(Window window, int depth, BooleanSupplier cancelled) {
        Steps fresh = new Steps(layers, window);
        if (window == null) {
            // an exact build is published at once: its finished layers stay valid if it is cancelled
            steps = fresh;
            sweepLayers(fresh, 0, depth, cancelled);
        } else {
            windowBuilds++;
            sweepLayers(fresh, 0, window.deepest(), cancelled);
            steps = fresh;
        }
        return fresh;
    }

    /** The window that adds a query at {@code depth} within {@code lowMb..highMb}; null where the build is to be exact. */
    private Window widened(Window old, int depth, int lowMb, int highMb) {
        if (sameLayers == null || windowBuilds >= WINDOW_BUILDS) return null;
        if (old == null) return window(new int[] {depth}, new int[] {lowMb}, new int[] {highMb}, true);
        int i = old.index(depth);
        int[] depths = old.depths();
        int[] low = old.lowestMb();
        int[] high = old.highestMb();
        if (i < 0) {
            if (depths.length >= WINDOW_DEPTHS) return null;
            i = depths.length;
            depths = Arrays.copyOf(depths, i + 1);
            low = Arrays.copyOf(low, i + 1);
            high = Arrays.copyOf(high, i + 1);
            depths[i] = depth;
            low[i] = lowMb;
            high[i] = highMb;
        } else {
            low = low.clone();
            high = high.clone();
            low[i] = Math.min(low[i], lowMb);
            high[i] = Math.max(high[i], highMb);
        }
        return window(depths, low, high, old.tight());
    }

    private Window window(int[] depths, int[] lowestMb, int[] highestMb, boolean tight) {
        double[] upper = new double[depths.length];
        for (int i = 0; i < depths.length; i++) {
            upper[i] = planWithinS(depths[i], lowestMb[i]);
            if (tight) upper[i] = Math.min(upper[i], sameLayers.leastTimeS(depths[i], lowestMb[i]) * (1 + SLACK));
        }
        return new Window(depths, lowestMb, highestMb, tight, upper);
    }

    /**
     * A bound no answer at {@code depth} within {@code lowMb} or more can exceed: the time, summed as the recursion
     * sums it, of a plan that fits {@code lowMb}. The plan rounds the relaxation down (the two hull strategies around
     * an equal share of the budget, as many of the heavier as fit), moves one layer of the lighter to the fastest
     * strategy the rest allows, and orders these groups of layers the cheapest way.
     */
    private double planWithinS(int depth, int lowMb) {
        int[] hull = sameLayers.hullStrategies();
        int[] w = weight[0];
        double[] t = time[0];
        int lighter = hull[0];
        int heavier = hull[0];
        for (int h = 0; h < hull.length; h++) {
            if ((long) depth * w[hull[h]] <= lowMb) {
                lighter = hull[h];
                heavier = h + 1 < hull.length ? hull[h + 1] : hull[h];
            }
        }
        int heavy = heavier == lighter ? 0
                : (int) Math.min(depth, (lowMb - (long) depth * w[lighter]) / (w[heavier] - w[lighter]));
        long left = lowMb - ((long) heavy * w[heavier] + (long) (depth - heavy) * w[lighter]);
        int moved = -1;
        if (heavy < depth) {
            for (int s = 0; s < strategies; s++) {
                if (t[s] < INF && w[s] - w[lighter] <= left && t[s] < t[lighter] && (moved < 0 || t[s] < t[moved])) moved = s;
            }
        }
        int[][] groups = {{heavier, heavy}, {moved, moved < 0 ? 0 : 1}, {lighter, depth - heavy - (moved < 0 ? 0 : 1)}};
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        double least = INF;
        for (int[] order : orders) {
            double sum = 0;
            int l = 0;
            int previous = -1;
            for (int g : order) {
                for (int k = 0; k < groups[g][1]; k++, l++) {
                    int s = groups[g][0];
                    sum = l == 0 ? freeValues[0][s] : (sum + transition[l][previous][s]) + t[s];
                    previous = s;
                }
            }
            least = Math.min(least, sum);
        }
        return least;
    }

    /**
     * Whether a step of one layer may lie on a plan a window answers: its value, plus the least time the layers after
     * it take within what the highest budget leaves, is within the window's bound at some depth.
     */
    private static final class MayAnswer {
        private final StageBound.IdenticalLayers sameLayers;
        private final int count;
        private final int[] restLayers;
        private final long[] highestMb;
        private final double[] boundS;
        /** The largest point from which some depth's remaining layers still fit. */
        final long reachMb;

        MayAnswer(Window window, StageBound.IdenticalLayers sameLayers, int l) {
            this.sameLayers = sameLayers;
            int n = window.depths().length;
            restLayers = new int[n];
            highestMb = new long[n];
            boundS = new double[n];
            long reach = -1;
            int c = 0;
            for (int i = 0; i < n; i++) {
                int rest = window.depths()[i] - 1 - l;
                if (rest < 0) continue;
                restLayers[c] = rest;
                highestMb[c] = window.highestMb()[i];
                // a margin far above the rounding of the sums, so that a step of an optimal plan always passes
                boundS[c] = window.upperS()[i] * (1 + 1e-9);
                reach = Math.max(reach, highestMb[c] - rest * sameLayers.lightestMb());
                c++;
            }
            count = c;
            reachMb = reach;
        }

        boolean test(long v, double value) {
            for (int i = 0; i < count; i++) {
                if (value + sameLayers.leastTimeS(restLayers[i], highestMb[i] - v) <= boundS[i]) return true;
            }
            return false;
        }
    }

    /**
     * The step functions of layers {@code from..to-1} into {@code st}, layer by layer (the lock held); a windowed
     * build keeps only the steps that may lie on a plan its window answers.
     */
    private void sweepLayers(Steps st, int from, int to, BooleanSupplier cancelled) {
        int ns = strategies;
        int[][][] starts = st.starts;
        double[][][] values = st.values;
        short[][][] marks = st.marks;
        Window window = st.window;
        double[][][] x = transition;
        buildFree(to);
        int[] pointOf = null;
        StepDominance dominance = null;
        for (int l = from; l < to; l++) {
            if (cancelled != null && cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
            starts[l] = new int[ns][];
            values[l] = new double[ns][];
            marks[l] = new short[ns][];
            long layerSteps = 0;
            if (l == 0) {
                // layer 0 (f_{-1} = 0 everywhere) is one step, at its weight, to the value without memory
                double[] first = freeValues[0];
                MayAnswer mayAnswer = window == null ? null : new MayAnswer(window, sameLayers, 0);
                for (int s = 0; s < ns; s++) {
                    int w = weight[0][s];
                    boolean fits = w <= budget && first[s] < INF && (mayAnswer == null || mayAnswer.test(w, first[s]));
                    starts[0][s] = fits ? new int[] {w} : new int[0];
                    values[0][s] = fits ? new double[] {first[s]} : new double[0];
                    marks[0][s] = fits ? new short[] {freeMarks[0][s]} : new short[0];
                    layerSteps += fits ? 1 : 0;
                }
                st.count += layerSteps;
                st.layers = 1;
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
                int[] previousStarts = ps[s];
                double[] va = pv[s];
                for (int i = 0; i < previousStarts.length; i++) {
                    int e = fill[pointOf[previousStarts[i]]]++;
                    evS[e] = s;
                    evV[e] = va[i];
                }
            }
            // Drop the steps that can never be any strategy's argmin (dominated, see StepDominance): the sweep below
            // then visits only the points and steps that can change a result. Layers that share their transition
            // and time rows (identical layers do, by reference) share one Dominance.
            if (dominance == null || !dominance.covers(x[l], time[l])) dominance = new StepDominance(x[l], time[l]);
            int kept = dominance.prune(union, offset, evS, evV, u, ns);
            int[] bufS = new int[kept];
            double[] bufV = new double[kept];
            short[] bufM = new short[kept];
            double[] col = new double[ns];
            MayAnswer mayAnswer = window == null ? null : new MayAnswer(window, sameLayers, l);
            long limit = mayAnswer == null ? budget : Math.min(budget, mayAnswer.reachMb);
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
                        if (v > limit) break;
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
                        if (mayAnswer != null && !mayAnswer.test(v, best)) continue;
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
            st.count += layerSteps;
            st.layers = l + 1;
        }
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
        return solve(depth, new int[] {budgetMb}, cancelled)[0];
    }

    /**
     * The best plans for the first {@code depth} layers within each of {@code budgetsMb} (one build answers them
     * all); as {@link #solve(int, int, BooleanSupplier)} for each.
     */
    public Solution[] solve(int depth, int[] budgetsMb, BooleanSupplier cancelled) {
        if (depth > layers) throw new IllegalArgumentException("depth " + depth + " past the knapsack's " + layers + " layers");
        Solution[] out = new Solution[budgetsMb.length];
        if (depth <= 0) {
            Arrays.fill(out, new Solution(null, INF, -1));
            return out;
        }
        int last = depth - 1;
        buildFree(depth);
        int freeArg = firstLeast(freeValues[last]);
        double freeBest = freeValues[last][freeArg];
        // Per budget: nothing fits (memory only raises values: nothing without memory, nothing with it; nor where the
        // lightest plan is too heavy), the plan without memory fits, or memory binds. The budgets memory binds are
        // one range for the step functions.
        boolean[] fits = new boolean[budgetsMb.length];
        boolean[] free = new boolean[budgetsMb.length];
        int lowMb = Integer.MAX_VALUE;
        int highMb = Integer.MIN_VALUE;
        for (int q = 0; q < budgetsMb.length; q++) {
            int b = Math.min(budgetsMb[q], budget);
            fits[q] = budgetsMb[q] >= 0 && freeBest < INF && lightestMb[last] <= b;
            free[q] = fits[q] && freeChainMb[last][freeArg] <= b;
            if (fits[q] && !free[q]) {
                lowMb = Math.min(lowMb, b);
                highMb = Math.max(highMb, b);
            }
        }
        Steps st = null;
        for (int q = 0; q < budgetsMb.length; q++) {
            int budgetMb = budgetsMb[q];
            int b = Math.min(budgetMb, budget);
            int arg = freeArg;
            double best = freeBest;
            if (!fits[q]) {
                out[q] = new Solution(null, INF, -1);
                continue;
            }
            if (!free[q]) {
                st = stepsFor(depth, lowMb, highMb, null, cancelled);
                double[] atBudget = new double[strategies];
                while (true) {
                    for (int s = 0; s < strategies; s++) atBudget[s] = st.value(depth, s, b);
                    arg = firstLeast(atBudget);
                    best = atBudget[arg];
                    // a windowed build's answer is exact where it is within the window's bound (see the class comment)
                    if (st.window == null || best <= st.window.upperS()[st.window.index(depth)]) break;
                    st = stepsFor(depth, lowMb, highMb, st, cancelled);
                }
                if (best == INF) {
                    out[q] = new Solution(null, INF, -1);
                    continue;
                }
            }
            int[] res = new int[depth];
            res[last] = arg;
            int v = b;
            for (int l = last; l >= 1; l--) {
                int cur = res[l];
                res[l - 1] = free[q] ? freeMarks[l][cur] : st.marks[l][cur][st.segment(l, cur, v)];
                v -= weight[l][cur];
            }
            int remain = v - weight[0][res[0]] + (budgetMb - b);
            out[q] = new Solution(res, best, remain);
        }
        return out;
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

    /** Whether some query has needed the step functions. */
    public boolean stepsBuilt() {
        Steps st = steps;
        return st != null && st.layers > 0;
    }

    /** The layers whose step functions are built (as deep as a query that memory binds has asked). */
    int stepLayers() {
        Steps st = steps;
        return st == null ? 0 : st.layers;
    }

    /** Whether the step functions built keep only what their window's queries read (else: exact everywhere). */
    boolean windowed() {
        Steps st = steps;
        return st != null && st.window != null;
    }

    /** Steps kept over all layers (what the knapsack holds in memory; before the step functions, one per strategy). */
    public long totalSteps() {
        Steps st = steps;
        return (st == null ? 0 : st.count) + (long) layers * strategies;
    }
}
