package studio.engine.cost;

/**
 * Galvatron's overlap of a layer's gradient reduce with its backward compute (search-engine spec §5.1, kept by v3
 * §5.1): both slowed by the overlap coefficient while they share the GPU; whichever lasts longer finishes alone.
 */
public final class GradientOverlap {
    private GradientOverlap() {
    }

    /** The time both run together, and the time one of them runs on alone (ms). */
    public record Split(double overlappedMs, double restMs) {
    }

    /**
     * @param messageMb               gradient volume to reduce
     * @param backwardMs              backward compute it hides behind
     * @param reduceMsPerMb           the all-reduce coefficient of the group
     * @param reduceOverlappedMsPerMb the same, slowed by the overlap coefficient
     * @param overlap                 the overlap slowdown coefficient
     */
    public static Split of(double messageMb, double backwardMs, double reduceMsPerMb, double reduceOverlappedMsPerMb, double overlap) {
        double reduce = messageMb * reduceOverlappedMsPerMb;
        double compute = backwardMs * overlap;
        if (reduce > compute) return new Split(compute, (messageMb - compute / reduceOverlappedMsPerMb) * reduceMsPerMb);
        if (reduce < compute) return new Split(reduce, backwardMs - reduce / overlap);
        return new Split(compute, 0);
    }
}
