package studio.engine.profile.v3;

import java.nio.file.Path;
import java.util.Map;

/**
 * What Galvatron 3.0's search reads from the model's computation and memory profiles for its one layer type, at
 * the searched sequence length (v3 spec §2.3, §2.4): forward times, the layer's parameter and activation memory,
 * and the memory of everything else on an unpipelined, a first and a last stage.
 */
public record ModelProfile(Path computationFile, ComputeTime layerForward, ComputeTime otherForward,
                           Path memoryFile, double parameterMb, Map<Integer, Double> activationMbByDegree,
                           double checkpointActivationMb, OtherMemory noPipeline, OtherMemory firstStage,
                           OtherMemory lastStage) {
    public ModelProfile {
        activationMbByDegree = Map.copyOf(activationMbByDegree);
    }
}
