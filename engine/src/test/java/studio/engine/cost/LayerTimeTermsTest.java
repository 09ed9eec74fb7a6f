package studio.engine.cost;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** §5.1's case table, one row per case, on numbers worked by hand; and §5.5's stage sums. */
class LayerTimeTermsTest {
    private static LayerTimeTerms terms(int tp, int dp, boolean zero3, double p2pMs) {
        // forward 10, backward 20, TP 3, 100 MB of gradients at 0.1 ms/MB, overlap slowdown 1.25
        return new LayerTimeTerms(tp, dp, 10, 20, 3, 100, 0.1, 1.25, zero3, p2pMs);
    }

    @Test
    void eachCaseOfTheTable() {
        // dp only: the reduce (100 MB x 0.125 = 12.5 ms) hides behind the slowed backward (25 ms): 12.5 together,
        // then 20 - 12.5 / 1.25 = 10 of backward alone
        assertEquals(10 + 12.5 + 10, terms(1, 8, false, 0).totalMs(true), 1e-12);
        assertEquals(10 + 0 + 20, terms(1, 8, false, 0).totalMs(false), 1e-12);
        // tp only: no gradient reduce, the TP collectives exposed
        assertEquals(10 + 20 + 3, terms(8, 1, false, 0).totalMs(true), 1e-12);
        // neither
        assertEquals(10 + 20, terms(1, 1, false, 0).totalMs(true), 1e-12);
        // narrow tp in a wide dp: as dp only, plus TP
        assertEquals(10 + 12.5 + 10 + 3, terms(2, 4, false, 0).totalMs(true), 1e-12);
        // wide tp: half the backward (10, slowed to 12.5) overlaps the 12.5 ms reduce exactly
        assertEquals(10 + 10 + 12.5 + 0 + 3, terms(4, 2, false, 0).totalMs(true), 1e-12);
    }

    @Test
    void zero3GathersHalfTheGradientVolumeWithOrWithoutSyncAndP2pAdds() {
        assertEquals(10 + 12.5 + 10 + 5 + 7, terms(1, 8, true, 7).totalMs(true), 1e-12);
        assertEquals(10 + 20 + 5 + 7, terms(1, 8, true, 7).totalMs(false), 1e-12);
    }

    @Test
    void pipelineTermsSumEachStageInLayerOrder() {
        double[] withSync = {1, 2, 3, 4, 5};
        double[] withoutSync = {0.5, 1, 1.5, 2, 2.5};
        PipelineTerms terms = PipelineCost.terms(withSync, withoutSync, List.of(2, 3), new double[] {0.25, 0.75}, 4);
        assertEquals(3, terms.fullS()[0]);
        assertEquals(12, terms.fullS()[1]);
        assertEquals(1.75, terms.computeS()[0]);
        assertEquals(6.75, terms.computeS()[1]);
        // the last stage bounds it: 1.75 + 6.75 + 3 x 6.75 = 28.75; the tail: 12 - 8.5 = 3.5
        assertEquals(28.75 + 3.5, terms.iterationS(), 1e-12);
    }
}
