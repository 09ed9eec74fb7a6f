package studio.engine.profile.v3;

/**
 * A profiled forward time in ms (v3 spec §2.3): a scalar per sample (static and sequence modes, time proportional
 * to the micro-batch) or, in batch mode, a line {@code m * batch + c} fitted over the batch sizes.
 */
public record ComputeTime(boolean linearInBatch, double perSampleMs, double slopeMs, double interceptMs) {
    public static ComputeTime perSample(double ms) { return new ComputeTime(false, ms, 0, 0); }

    public static ComputeTime line(double slopeMs, double interceptMs) { return new ComputeTime(true, 0, slopeMs, interceptMs); }

    @Override
    public String toString() {
        return linearInBatch ? "[" + slopeMs + ", " + interceptMs + "]" : Double.toString(perSampleMs);
    }
}
