package studio.engine.cost;

/**
 * The share of a layer's model states (parameters, gradients, optimizer states) one GPU keeps under ZeRO-2 and
 * ZeRO-3 over a group of {@code g} (search-engine spec §4.3, kept by v3 §4.1), with Galvatron's {@code +0.003}
 * bias and its fp32 non-async ZeRO-2 asymmetry. One micro-batch and several use different rows.
 */
public final class ZeroRedundancy {
    private ZeroRedundancy() {
    }

    public static double zero2Ratio(int group, int chunks, boolean mixed, boolean asyncGradReduce) {
        double s = 1.0 / group + 0.003;
        if (chunks == 1) return mixed ? 7.0 / 8 * s + 1.0 / 8 : 3.0 / 4 * s + 1.0 / 4;
        if (asyncGradReduce) return mixed ? 6.0 / 8 * s + 2.0 / 8 : 2.0 / 4 * s + 2.0 / 4;
        return mixed ? (7.0 / 8 * s + 1.0 / 8) * 5 / 4 : 3.0 / 4 * s + 1.0 / 4;
    }

    /**
     * The fp32 parameters one GPU's optimizer step updates: ZeRO-2 and ZeRO-3 shard the optimizer states, so each of
     * the {@code group} ranks steps its share; plain data parallelism steps every parameter on every rank.
     */
    public static double updatedParameterMb(double parameterMb, boolean zero, int group) {
        return zero ? parameterMb / group : parameterMb;
    }

    public static double zero3Ratio(int group, int chunks, boolean mixed, boolean asyncGradReduce) {
        double s = 1.0 / group + 0.003;
        if (chunks == 1) return s;
        if (asyncGradReduce) return mixed ? 7.0 / 8 * s + 1.0 / 8 : 3.0 / 4 * s + 1.0 / 4;
        return s * 5 / 4;
    }
}
