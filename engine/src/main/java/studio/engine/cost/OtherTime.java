package studio.engine.cost;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Per-stage time of the vocabulary layers (seconds per micro-batch) for every vocab TP candidate. */
public record OtherTime(Map<Integer, double[]> withCommS, Map<Integer, double[]> noCommS) {
    public OtherTime {
        withCommS = Collections.unmodifiableMap(new TreeMap<>(withCommS));
        noCommS = Collections.unmodifiableMap(new TreeMap<>(noCommS));
    }
}
