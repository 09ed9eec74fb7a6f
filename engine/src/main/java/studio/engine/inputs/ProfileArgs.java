package studio.engine.inputs;

import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;

/**
 * Where the profiles come from, in Galvatron's argument terms. Every path may be null (Galvatron's default
 * folder), a folder (Galvatron's file name is appended) or a file.
 */
public record ProfileArgs(int nodes, int gpusPerNode, String mixedPrecision, boolean sequenceParallel, boolean needSpTimes,
                          TimeProfileMode timeMode, MemoryProfileMode memoryMode, String timeProfilingPath,
                          String memoryProfilingPath, String allreducePath, String p2pPath, String overlapPath,
                          String spTimePath) {
    public int worldSize() { return nodes * gpusPerNode; }

    public static ProfileArgs defaults(int nodes, int gpusPerNode, boolean sequenceParallel) {
        return new ProfileArgs(nodes, gpusPerNode, "bf16", sequenceParallel, false, TimeProfileMode.STATIC, MemoryProfileMode.STATIC,
                null, null, null, null, null, null);
    }
}
