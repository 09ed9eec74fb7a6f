package studio.engine.profile;

import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/** Ordinary least-squares polynomial fits (Galvatron uses curve_fit, which converges to the same solution). */
public final class LeastSquares {
    private LeastSquares() {
    }

    /** Coefficients {@code [c0, c1, ..., c_degree]} of {@code y = c0 + c1 x + ...}. */
    public static double[] polyfit(double[] x, double[] y, int degree) {
        if (x.length < degree + 1) {
            throw new IllegalArgumentException("a degree-" + degree + " fit needs at least " + (degree + 1)
                    + " points, got " + x.length);
        }
        if (x.length == degree + 1) {
            return solveExact(x, y, degree);
        }
        double[][] design = new double[x.length][degree];
        for (int i = 0; i < x.length; i++) {
            double p = 1;
            for (int d = 0; d < degree; d++) {
                p *= x[i];
                design[i][d] = p;
            }
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(y.clone(), design);
        return ols.estimateRegressionParameters();
    }

    private static double[] solveExact(double[] x, double[] y, int degree) {
        int n = degree + 1;
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            double p = 1;
            for (int d = 0; d < n; d++) {
                a[i][d] = p;
                p *= x[i];
            }
            a[i][n] = y[i];
        }
        org.apache.commons.math3.linear.RealMatrix m = new org.apache.commons.math3.linear.Array2DRowRealMatrix(n, n);
        double[] rhs = new double[n];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < n; d++) m.setEntry(i, d, a[i][d]);
            rhs[i] = a[i][n];
        }
        return new org.apache.commons.math3.linear.QRDecomposition(m).getSolver()
                .solve(new org.apache.commons.math3.linear.ArrayRealVector(rhs)).toArray();
    }

    public static double eval(double[] coefficients, double x) {
        double r = 0;
        for (int i = coefficients.length - 1; i >= 0; i--) r = r * x + coefficients[i];
        return r;
    }
}
