package studio.engine.profile.v3;

import studio.engine.profile.ForwardTime;
import studio.engine.profile.LayerMemoryProfile;
import studio.engine.profile.OtherMemoryProfile;
import studio.engine.profile.ProfileBundle;

import java.nio.file.Path;
import java.util.Map;

/**
 * What Galvatron 3.0's search reads from the model's computation and memory profiles for its one layer type, at
 * the searched sequence length (v3 spec §2.3, §2.4): forward times, the layer's parameter and activation memory,
 * and the memory of everything else on an unpipelined, a first and a last stage.
 *
 * @param memorySuffix {@code "_sp"} when read from the Megatron-SP entries (names the keys in errors)
 * @param memoryFile   null when built from profiles in memory (estimates)
 */
public record ModelProfile(Path computationFile, ForwardTime layerForward, ForwardTime otherForward,
                           Path memoryFile, String memorySuffix, double parameterMb, Map<Integer, Double> activationMbByDegree,
                           double checkpointActivationMb, OtherMemoryProfile noPipeline, OtherMemoryProfile firstStage,
                           OtherMemoryProfile lastStage) {
    public ModelProfile {
        activationMbByDegree = Map.copyOf(activationMbByDegree);
    }

    /** The same numbers from the profiles the v2 model is given, for a model of one layer type. */
    public static ModelProfile of(ProfileBundle bundle, boolean sequenceParallel) {
        if (bundle.model().layerTypes().size() != 1) {
            throw new IllegalArgumentException(bundle.model().name() + " has " + bundle.model().layerTypes().size()
                    + " layer types; Galvatron 3.0's cost model has one (target Galvatron v2 for it)");
        }
        LayerMemoryProfile layer = bundle.layerMemory().get(0);
        return new ModelProfile(null, bundle.forwardTimes().get(0), bundle.otherForwardTime(), bundle.memoryProfileFile(),
                sequenceParallel ? "_sp" : "", layer.parameterSizeMb(), layer.activationPerSampleMb(), layer.checkpointActivationMb(),
                bundle.otherPpOff(), bundle.otherFirstStage(), bundle.otherLastStage());
    }

    /** The same with the layer's and the vocabulary's forward times multiplied by these factors (another sequence length). */
    public ModelProfile withForwardScaled(double layerFactor, double otherFactor) {
        return new ModelProfile(computationFile, scaled(layerForward, layerFactor), scaled(otherForward, otherFactor), memoryFile, memorySuffix,
                parameterMb, activationMbByDegree, checkpointActivationMb, noPipeline, firstStage, lastStage);
    }

    private static ForwardTime scaled(ForwardTime t, double f) {
        return new ForwardTime(t.batchFit(), t.perSampleMs() * f, t.slopeMs() * f, t.interceptMs() * f);
    }

    /** The memory profile's key of an other-memory table: {@code other_memory_pp_off_sp} and so on. */
    public String keyOf(OtherMemoryProfile table) {
        String base = table == noPipeline ? "other_memory_pp_off" : table == firstStage ? "other_memory_pp_on_first" : "other_memory_pp_on_last";
        return base + memorySuffix;
    }
}
