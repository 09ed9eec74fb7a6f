package studio.engine.profile;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Memory of the non-layer modules (embedding, final norm, head) on one stage, keyed by vocab TP degree. */
public record OtherMemoryProfile(Map<Integer, Double> modelStatesMb, Map<Integer, Double> activationMb) {
    public OtherMemoryProfile {
        modelStatesMb = Collections.unmodifiableMap(new TreeMap<>(modelStatesMb));
        activationMb = Collections.unmodifiableMap(new TreeMap<>(activationMb));
    }
}
