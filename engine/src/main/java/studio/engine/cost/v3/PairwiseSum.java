package studio.engine.cost.v3;

/**
 * numpy's pairwise summation of a float array (v3 spec §0), which Galvatron 3.0's pipeline cost uses through
 * {@code np.sum}: sequential below 8 terms, eight interleaved partial sums up to 128, halves above.
 */
public final class PairwiseSum {
    private PairwiseSum() {
    }

    public static double sum(double[] a) { return sum(a, 0, a.length); }

    public static double sum(double[] a, int from, int to) {
        int n = to - from;
        if (n < 8) {
            double r = 0.0;
            for (int i = from; i < to; i++) r += a[i];
            return r;
        }
        if (n <= 128) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) r[j] = a[from + j];
            int i;
            for (i = 8; i < n - n % 8; i += 8) {
                for (int j = 0; j < 8; j++) r[j] += a[from + i + j];
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[from + i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return sum(a, from, from + n2) + sum(a, from + n2, to);
    }
}
