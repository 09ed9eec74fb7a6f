package studio.engine.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * The studio's pipeline division search: Galvatron splits layers evenly (remainder on the last stage) and never
 * searches the division (quirks Q8, Q17); the studio tries balanced variants and improves the best by moving layers
 * between stages while the real pipeline cost drops.
 */
final class StudioDivisions {
    private StudioDivisions() {
    }

    /** Galvatron's even division first, then the remainder spread over the first/last stages. */
    static List<List<Integer>> candidates(List<Integer> even, int total, int p) {
        Set<List<Integer>> seen = new HashSet<>();
        List<List<Integer>> out = new ArrayList<>();
        add(out, seen, even);
        int base = total / p;
        int rem = total % p;
        List<Integer> front = new ArrayList<>();
        List<Integer> back = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            front.add(base + (i < rem ? 1 : 0));
            back.add(base + (i >= p - rem ? 1 : 0));
        }
        add(out, seen, front);
        add(out, seen, back);
        return out;
    }

    private static void add(List<List<Integer>> out, Set<List<Integer>> seen, List<Integer> d) {
        if (d.stream().allMatch(x -> x >= 1) && seen.add(d)) out.add(List.copyOf(d));
    }

    /**
     * Hill-climbs from {@code start}: move one layer across a stage boundary while the pipeline cost improves.
     * {@code cannotBeat} tells, before a division is evaluated, that none of its plans can rank below the time given
     * (a lower bound): such a division would not be taken, so it is passed over, and the climb is the same.
     */
    static PpCandidate improve(PpCandidate start, Function<List<Integer>, PpCandidate> evaluate,
                               BiPredicate<List<Integer>, Double> cannotBeat) {
        PpCandidate best = start;
        Set<List<Integer>> tried = new HashSet<>();
        tried.add(start.division());
        boolean improved = true;
        int rounds = 0;
        while (improved && rounds++ < 64) {
            improved = false;
            List<Integer> d = best.division();
            for (int i = 0; i < d.size(); i++) {
                for (int j = 0; j < d.size(); j++) {
                    if (i == j || d.get(i) <= 1) continue;
                    List<Integer> n = new ArrayList<>(d);
                    n.set(i, n.get(i) - 1);
                    n.set(j, n.get(j) + 1);
                    if (!tried.add(n)) continue;
                    // the best only drops, so a division that cannot beat it now never will
                    if (cannotBeat.test(n, best.rankS())) continue;
                    PpCandidate c = evaluate.apply(List.copyOf(n));
                    if (c.rankS() < best.rankS()) {
                        best = c;
                        improved = true;
                    }
                }
                if (improved) break;
            }
        }
        return best;
    }
}
