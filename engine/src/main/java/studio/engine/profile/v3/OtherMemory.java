package studio.engine.profile.v3;

import java.util.Map;

/** Memory of everything but the transformer layers on one kind of stage, MB by TP degree (v3 spec §2.4). */
public record OtherMemory(String key, Map<Integer, Double> modelStatesMb, Map<Integer, Double> activationMb) {
    public OtherMemory {
        modelStatesMb = Map.copyOf(modelStatesMb);
        activationMb = Map.copyOf(activationMb);
    }
}
