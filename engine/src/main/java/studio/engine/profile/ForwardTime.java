package studio.engine.profile;

/**
 * A forward-time model from a computation profile: either a per-sample scalar (static and sequence modes, ms per
 * sample) or a linear fit {@code ms = slope * batch + intercept} (batch mode, ms for a batch).
 */
public record ForwardTime(boolean batchFit, double perSampleMs, double slopeMs, double interceptMs) {
    public static ForwardTime perSample(double ms) { return new ForwardTime(false, ms, 0, 0); }

    public static ForwardTime linear(double slope, double intercept) { return new ForwardTime(true, 0, slope, intercept); }

    /** Forward ms for {@code samples} samples, the way Galvatron's layer model evaluates it (before the layer count). */
    public double msFor(double samples) {
        return batchFit ? slopeMs * samples + interceptMs : perSampleMs * samples;
    }
}
