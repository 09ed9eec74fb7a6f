package studio.engine.search.v3;

import org.junit.jupiter.api.Test;
import studio.engine.cost.v3.PairwiseSum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** numpy's pairwise summation, which differs from a sequential sum in the last bits (v3 spec §0). */
class PairwiseSumTest {
    @Test
    void shortArraysAddInOrder() {
        double[] a = {0.1, 0.2, 0.3};
        assertEquals((0.0 + 0.1 + 0.2) + 0.3, PairwiseSum.sum(a));
    }

    @Test
    void eightPartialSumsThenTheTail() {
        double[] a = new double[11];
        for (int i = 0; i < a.length; i++) a[i] = 1.0 / (i + 3);
        double[] r = new double[8];
        System.arraycopy(a, 0, r, 0, 8);
        double expected = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        expected += a[8];
        expected += a[9];
        expected += a[10];
        assertEquals(expected, PairwiseSum.sum(a));
    }

    @Test
    void differsFromTheSequentialSumWhereNumpyDoes() {
        double[] a = new double[16];
        for (int i = 0; i < a.length; i++) a[i] = 0.1 * (i % 3 + 1) + 1e-3 * i;
        double sequential = 0;
        for (double x : a) sequential += x;
        double[] r = new double[8];
        for (int j = 0; j < 8; j++) r[j] = a[j] + a[8 + j];
        double pairwise = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        assertEquals(pairwise, PairwiseSum.sum(a));
        assertNotEquals(sequential, pairwise, "this input is one where the order matters");
    }

    @Test
    void longArraysSplitInHalvesOfMultiplesOfEight() {
        double[] a = new double[300];
        for (int i = 0; i < a.length; i++) a[i] = Math.sqrt(i + 1);
        assertEquals(PairwiseSum.sum(a, 0, 144) + PairwiseSum.sum(a, 144, 300), PairwiseSum.sum(a));
        assertEquals(PairwiseSum.sum(a, 144, 216) + PairwiseSum.sum(a, 216, 300), PairwiseSum.sum(a, 144, 300), 0.0);
    }
}
