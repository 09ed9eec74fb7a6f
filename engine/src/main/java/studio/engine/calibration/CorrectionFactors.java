package studio.engine.calibration;

import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Correction factors fitted on a cluster's runs (issue 15, item 4): measured iteration = compute x c + communication
 * x t + data-parallel x d + pipeline x p over the predicted terms, and measured peak memory = predicted x m. With at
 * least two runs more than the terms that vary among them, each term gets its own factor by least squares on the
 * relative errors (each run's equation over its measured time; no intercept; Commons Math's OLS, standard errors from
 * the residuals); a term no run exercises keeps 1. With fewer
 * runs, or where a factor comes out not positive, one factor for the whole iteration (the mean ratio, Galvatron's
 * {@code costmodel_coe} made from measurements), its standard error the ratios' spread over sqrt(n) (unknown for one run).
 */
public record CorrectionFactors(int runs, Method method, Factor compute, Factor communication, Factor dataParallel, Factor pipeline,
                                Factor memory) {
    /** How the factors were fitted. */
    public enum Method {
        NONE("no runs"), ONE_FACTOR("one factor for the whole iteration"), PER_TERM("a factor per term (least squares)");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        @Override
        public String toString() { return label; }
    }

    /** A factor and its standard error (NaN: unknown, one observation). */
    public record Factor(double value, double standardError) {
        public static final Factor ONE = new Factor(1, 0);

        public Factor {
            if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException("correction factor: expected above 0, got " + value);
        }

        @Override
        public String toString() {
            if (equals(ONE)) return "1 (no run exercises it)";
            return Double.isNaN(standardError) ? String.format(Locale.ROOT, "%.3f (one run: no spread yet)", value)
                    : String.format(Locale.ROOT, "%.3f ± %.3f", value, standardError);
        }
    }

    public static final CorrectionFactors NONE = new CorrectionFactors(0, Method.NONE, Factor.ONE, Factor.ONE, Factor.ONE, Factor.ONE, Factor.ONE);

    /** The calibrated iteration time of a plan's predicted terms. */
    public double iterationS(TimeTerms t) {
        return t.computeS() * compute.value() + t.communicationS() * communication.value() + t.dataParallelS() * dataParallel.value()
                + t.pipelineS() * pipeline.value();
    }

    public double memoryMb(double predictedMb) { return predictedMb * memory.value(); }

    public static CorrectionFactors fit(List<Observation> observations) {
        // a prediction of nothing says nothing of any factor
        List<Observation> runs = observations.stream().filter(o -> o.predicted().totalS() > 0).toList();
        if (runs.isEmpty()) return NONE;
        Factor memory = ratio(runs.stream().filter(o -> o.predictedPeakMb() > 0 && o.measuredPeakMb() > 0)
                .map(o -> o.measuredPeakMb() / o.predictedPeakMb()).toList());
        CorrectionFactors perTerm = perTerm(runs, memory);
        if (perTerm != null) return perTerm;
        Factor time = ratio(runs.stream().map(o -> o.measuredIterationS() / o.predicted().totalS()).toList());
        return new CorrectionFactors(runs.size(), Method.ONE_FACTOR, time, time, time, time, memory);
    }

    /** The mean of ratios with its standard error; 1 without any. */
    private static Factor ratio(List<Double> ratios) {
        if (ratios.isEmpty()) return Factor.ONE;
        double mean = ratios.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        if (ratios.size() == 1) return new Factor(mean, Double.NaN);
        double var = ratios.stream().mapToDouble(r -> (r - mean) * (r - mean)).sum() / (ratios.size() - 1);
        return new Factor(mean, Math.sqrt(var / ratios.size()));
    }

    private static CorrectionFactors perTerm(List<Observation> runs, Factor memory) {
        // only the terms some run has: the others cannot be told apart and keep 1
        List<Integer> columns = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            final int term = k;
            if (runs.stream().anyMatch(o -> o.predicted().asArray()[term] > 0)) columns.add(k);
        }
        if (runs.size() < columns.size() + 2) return null;
        double[] y = new double[runs.size()];
        double[][] x = new double[runs.size()][columns.size()];
        for (int i = 0; i < runs.size(); i++) {
            // each run's row over its measurement: relative errors count alike for a short run and a long one
            double measured = runs.get(i).measuredIterationS();
            y[i] = 1;
            double[] terms = runs.get(i).predicted().asArray();
            for (int j = 0; j < columns.size(); j++) x[i][j] = terms[columns.get(j)] / measured;
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.setNoIntercept(true);
        double[] beta;
        double[] se;
        try {
            ols.newSampleData(y, x);
            beta = ols.estimateRegressionParameters();
            se = ols.estimateRegressionParametersStandardErrors();
        } catch (IllegalArgumentException collinear) { // SingularMatrixException, or too few rows
            return null; // the runs do not vary the terms independently
        }
        Factor[] f = {Factor.ONE, Factor.ONE, Factor.ONE, Factor.ONE};
        for (int j = 0; j < columns.size(); j++) {
            if (!(beta[j] > 0) || Double.isNaN(se[j])) return null;
            f[columns.get(j)] = new Factor(beta[j], se[j]);
        }
        return new CorrectionFactors(runs.size(), Method.PER_TERM, f[0], f[1], f[2], f[3], memory);
    }

    /** One line a user reads. */
    public String describe() {
        if (method == Method.NONE) return "not calibrated";
        return runs + " run(s), " + method + ": compute " + compute + ", TP/SP/CP communication " + communication + ", data parallel " + dataParallel
                + ", pipeline " + pipeline + ", memory " + memory;
    }
}
