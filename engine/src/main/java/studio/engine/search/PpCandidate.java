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
 */
public record PpCandidate(int pp, List<Integer> division, double costS, List<Integer> remainingMb, List<Integer> memoryCostMb,
                          int vocabTp, List<LayerStrategy> layers, double rankS) {
    public PpCandidate(int pp, List<Integer> division, double costS, List<Integer> remainingMb, List<Integer> memoryCostMb,
                       int vocabTp, List<LayerStrategy> layers) {
        this(pp, division, costS, remainingMb, memoryCostMb, vocabTp, layers, costS);
    }

    public boolean feasible() { return layers != null && costS < Double.POSITIVE_INFINITY; }

    /** The candidate's costs and memories without its per-layer plan (what a search log lists of the runners-up). */
    public PpCandidate summary() {
        return layers == null ? this : new PpCandidate(pp, division, costS, remainingMb, memoryCostMb, vocabTp, null, rankS);
    }
}
