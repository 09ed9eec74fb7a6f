package studio.engine.profile;

import studio.engine.model.ModelDescription;

import java.nio.file.Path;

/** Loads the profiles the cost model needs, the way Galvatron's search engine initialises itself. */
public final class ProfileLoader {
    private ProfileLoader() {
    }

    public static ProfileBundle load(ModelDescription model, Path computation, TimeProfileMode timeMode, Path memory,
                                     MemoryProfileMode memoryMode, boolean sequenceParallel, HardwareProfile hardware) {
        ComputationProfile.Resolved t = ComputationProfile.read(computation).resolve(timeMode, model.layerTypes());
        MemoryProfile.Resolved m = MemoryProfile.read(memory).resolve(memoryMode, sequenceParallel, model.layerTypes(), hardware.worldSize());
        return new ProfileBundle(model, t.layerTimes(), t.otherTime(), m.layers(), m.otherPpOff(), m.otherFirstStage(),
                m.otherLastStage(), hardware, memory);
    }
}
