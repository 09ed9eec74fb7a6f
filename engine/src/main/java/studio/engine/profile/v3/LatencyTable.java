package studio.engine.profile.v3;

import java.util.Map;

/**
 * Measured times of one collective for one group size, keyed by integer MB, with the line fitted over them
 * (v3 spec §2.5): the measured value on an exact integer-MB hit, the line otherwise (quirk Q-v3-16).
 */
public record LatencyTable(int groupSize, Map<Integer, Double> msByMb, double slopeMsPerMb, double interceptMs) {
    public LatencyTable {
        msByMb = Map.copyOf(msByMb);
    }

    public double msFor(double messageMb) {
        if (messageMb == Math.rint(messageMb) && messageMb <= Integer.MAX_VALUE) {
            Double hit = msByMb.get((int) messageMb);
            if (hit != null) return hit;
        }
        return slopeMsPerMb * messageMb + interceptMs;
    }
}
