package studio.engine.search;

import studio.engine.plan.LayerStrategy;

import java.util.List;

/**
 * The optimum for one pipeline degree within one search task.
 *
 * @param costS        seconds per iteration (infinite when nothing fits)
 * @param remainingMb  per stage, MB left under the knapsack budget (-1 when infeasible)
 * @param memoryCostMb per stage, Galvatron's "memory cost" (layers + other + reserve)
 * @param vocabTp      the chosen vocab TP degree, -1 when infeasible
 * @param layers       per-layer strategies, null when infeasible
 * @param rankS        what the search ranks by: Galvatron's cost in galvatron-v2 mode; in studio mode the larger of
 *                     Galvatron's cost and the plain 1F1B bound, so an uneven division cannot hide a slow middle stage
 *                     from Galvatron's first/last-stage formula
 * @param boundS       for a degree a batch sweep did not search: the least time any of its plans could take, which
 *                     was already too slow to win (NaN for a searched degree)
 */
public record PpCandidate(int pp, List<Integer> division, double costS, List<Integer> remainingMb, List<Integer> memoryCostMb,
                          int vocabTp, List<LayerStrategy> layers, double rankS, double boundS) {
    public PpCandidate(int pp, List<Integer> division, double costS, List<Integer> remainingMb, List<Integer> memoryCostMb,
                       int vocabTp, List<LayerStrategy> layers) {
        this(pp, division, costS, remainingMb, memoryCostMb, vocabTp, layers, costS);
    }

    public PpCandidate(int pp, List<Integer> division, double costS, List<Integer> remainingMb, List<Integer> memoryCostMb,
                       int vocabTp, List<LayerStrategy> layers, double rankS) {
        this(pp, division, costS, remainingMb, memoryCostMb, vocabTp, layers, rankS, Double.NaN);
    }

    /** A degree not searched: no plan of it can take less than {@code boundS}, already slower than a plan found. */
    static PpCandidate notSearched(int pp, List<Integer> division, double boundS) {
        return new PpCandidate(pp, division, Double.POSITIVE_INFINITY, List.of(), List.of(), -1, null, Double.POSITIVE_INFINITY, boundS);
    }

    public boolean searched() { return Double.isNaN(boundS); }

    public boolean feasible() { return layers != null && costS < Double.POSITIVE_INFINITY; }

    /** The candidate's costs and memories without its per-layer plan (what a search log lists of the runners-up). */
    public PpCandidate summary() {
        return layers == null ? this : new PpCandidate(pp, division, costS, remainingMb, memoryCostMb, vocabTp, null, rankS, boundS);
    }
}
