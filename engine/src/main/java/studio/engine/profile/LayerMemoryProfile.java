package studio.engine.profile;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Memory profile of one layer type.
 *
 * @param parameterSizeMb          fp32-equivalent parameter MB of one unsharded layer
 * @param activationPerSampleMb    activation MB per sample on one rank, keyed by TP degree
 * @param checkpointActivationMb   activation MB per sample of a checkpointed layer
 */
public record LayerMemoryProfile(double parameterSizeMb, Map<Integer, Double> activationPerSampleMb,
                                 double checkpointActivationMb) {
    public LayerMemoryProfile {
        activationPerSampleMb = Collections.unmodifiableMap(new TreeMap<>(activationPerSampleMb));
    }
}
