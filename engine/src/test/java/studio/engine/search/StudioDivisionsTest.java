package studio.engine.search;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio's division climb passes over divisions a lower bound rules out, and climbs to the same division. */
class StudioDivisionsTest {
    /** A pipeline whose stages cost differently per layer: the slowest stage and the sum decide the rank. */
    private static PpCandidate rank(List<Integer> division) {
        double[] perLayer = {1.0, 1.3, 0.8, 1.1};
        double slowest = 0;
        double sum = 0;
        for (int i = 0; i < division.size(); i++) {
            double stage = division.get(i) * perLayer[i];
            slowest = Math.max(slowest, stage);
            sum += stage;
        }
        double rankS = sum + 7 * slowest;
        return new PpCandidate(division.size(), division, rankS, List.of(), List.of(), 1, List.of(), rankS);
    }

    @Test
    void divisionsTheBoundRulesOutAreNotEvaluatedAndTheClimbIsTheSame() {
        List<List<Integer>> evaluatedWithout = new ArrayList<>();
        List<List<Integer>> evaluatedWith = new ArrayList<>();
        Function<List<Integer>, PpCandidate> without = d -> {
            evaluatedWithout.add(d);
            return rank(d);
        };
        Function<List<Integer>, PpCandidate> with = d -> {
            evaluatedWith.add(d);
            return rank(d);
        };
        PpCandidate start = rank(List.of(8, 8, 8, 8));
        PpCandidate plain = StudioDivisions.improve(start, without, (d, toBeat) -> false);
        // a true lower bound, 1 % under the rank
        PpCandidate bounded = StudioDivisions.improve(start, with, (d, toBeat) -> rank(d).rankS() * 0.99 >= toBeat);
        assertEquals(plain.division(), bounded.division());
        assertEquals(plain.rankS(), bounded.rankS());
        assertTrue(plain.rankS() < start.rankS(), "the climb improves on the even division");
        assertTrue(evaluatedWith.size() < evaluatedWithout.size(), evaluatedWith.size() + " of " + evaluatedWithout.size());
        assertTrue(evaluatedWithout.containsAll(evaluatedWith));
        // a bound that rules out every division: nothing is evaluated
        List<List<Integer>> none = new ArrayList<>();
        assertSame(start, StudioDivisions.improve(start, d -> {
            none.add(d);
            return rank(d);
        }, (d, toBeat) -> true));
        assertTrue(none.isEmpty());
    }
}
