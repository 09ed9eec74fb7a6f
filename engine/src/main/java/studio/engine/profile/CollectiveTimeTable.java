package studio.engine.profile;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measured times of one collective for one group size, keyed by message bytes, with a linear fit
 * {@code ms = slope * MB + intercept} for every other size.
 */
public record CollectiveTimeTable(Map<Long, Double> measuredMsByBytes, double slopeMsPerMb, double interceptMs) {
    public CollectiveTimeTable {
        measuredMsByBytes = Collections.unmodifiableMap(new TreeMap<>(measuredMsByBytes));
    }

    /** Galvatron's lookup: the measured value on an exact byte-size hit, else the fit (quirk Q19). */
    public double msFor(double bytes) {
        if (bytes == Math.rint(bytes)) {
            Double hit = measuredMsByBytes.get((long) bytes);
            if (hit != null) return hit;
        }
        return fitMsFor(bytes);
    }

    /** Always the fit (Galvatron's vocabulary model never hits the table, quirk Q18a). */
    public double fitMsFor(double bytes) {
        return slopeMsPerMb * bytes / 1048576.0 + interceptMs;
    }
}
