package studio.engine.profile;

/**
 * A forward-time model from a computation profile: either a per-sample scalar (static and sequence modes, ms per
 * sample) or a linear fit {@code ms = slope * batch + intercept} (batch mode, ms for a batch).
 */
public record ForwardTime(boolean batchFit, double perSampleMs, double slopeMs, double interceptMs) {
    public static ForwardTime perSample(double ms) { return new ForwardTime(false, ms, 0, 0); }

    public static ForwardTime linear(double slope, double intercept) { return new ForwardTime(true, 0, slope, intercept); }

    // equals, hashCode and toString written out (toString to read in ms): a record's own are bootstrapped through
    // method handles at their first use, which JDK 17's class-data archive does not keep (part of every search's
    // start); the same equality as the generated ones
    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardTime f && batchFit == f.batchFit && Double.compare(perSampleMs, f.perSampleMs) == 0
                && Double.compare(slopeMs, f.slopeMs) == 0 && Double.compare(interceptMs, f.interceptMs) == 0;
    }

    @Override
    public int hashCode() {
        return ((Boolean.hashCode(batchFit) * 31 + Double.hashCode(perSampleMs)) * 31 + Double.hashCode(slopeMs)) * 31 + Double.hashCode(interceptMs);
    }

    /** As the search logs print it: ms a sample, and the fit's fixed part when it has one. */
    @Override
    public String toString() {
        return batchFit ? slopeMs + " ms a sample + " + interceptMs + " ms" : perSampleMs + " ms a sample";
    }

    /** Forward ms for {@code samples} samples, the way Galvatron's layer model evaluates it (before the layer count). */
    public double msFor(double samples) {
        return batchFit ? slopeMs * samples + interceptMs : perSampleMs * samples;
    }
}
