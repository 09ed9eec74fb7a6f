package studio.engine.profile;

import studio.engine.model.ModelDescription;

import java.util.List;

/** The loaded inputs of the cost model: the model and what the profiles say about its layer types and the cluster. */
public record ProfileBundle(ModelDescription model, List<ForwardTime> forwardTimes, ForwardTime otherForwardTime,
                            List<LayerMemoryProfile> layerMemory, OtherMemoryProfile otherPpOff,
                            OtherMemoryProfile otherFirstStage, OtherMemoryProfile otherLastStage, HardwareProfile hardware,
                            java.nio.file.Path memoryProfileFile) {
    /** Profiles built in memory (tests, what-if models): no file to name in errors. */
    public ProfileBundle(ModelDescription model, List<ForwardTime> forwardTimes, ForwardTime otherForwardTime,
                         List<LayerMemoryProfile> layerMemory, OtherMemoryProfile otherPpOff, OtherMemoryProfile otherFirstStage,
                         OtherMemoryProfile otherLastStage, HardwareProfile hardware) {
        this(model, forwardTimes, otherForwardTime, layerMemory, otherPpOff, otherFirstStage, otherLastStage, hardware, null);
    }

    public ProfileBundle {
        forwardTimes = List.copyOf(forwardTimes);
        layerMemory = List.copyOf(layerMemory);
        if (forwardTimes.size() != model.layerTypes().size() || layerMemory.size() != model.layerTypes().size()) {
            throw new IllegalArgumentException("profiles cover " + forwardTimes.size() + "/" + layerMemory.size()
                    + " layer types; the model has " + model.layerTypes().size());
        }
    }
}
