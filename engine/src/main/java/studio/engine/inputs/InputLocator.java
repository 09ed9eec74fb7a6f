package studio.engine.inputs;

import studio.engine.profile.ProfileBundle;
import studio.engine.profile.ProfileLoader;
import studio.engine.model.ModelDescription;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.MemoryProfile;
import studio.engine.profile.ProfilePaths;

import java.nio.file.Path;

/**
 * Resolves and loads every input file of a plan evaluation or search. Defaults follow the shipped
 * {@code sample-configs} layout, which mirrors Galvatron's: {@code <family>/configs} for the model profiles and
 * {@code hardware_configs} for the cluster.
 */
public final class InputLocator {
    private final Path sampleRoot;

    public InputLocator(Path sampleRoot) {
        this.sampleRoot = sampleRoot;
    }

    public Path sampleRoot() { return sampleRoot; }

    public Path modelConfigDir(ModelDescription model) {
        return sampleRoot.resolve(model.family().directory()).resolve("configs");
    }

    public Path hardwareDir() {
        return sampleRoot.resolve("hardware_configs");
    }

    public HardwareProfile hardware(ProfileArgs a) {
        Path hw = hardwareDir();
        Path allreduce = ProfilePaths.resolve(a.allreducePath(), hw, ProfilePaths.allreduceFile(a.nodes(), a.gpusPerNode()),
                "--allreduce_bandwidth_config_path");
        Path p2p = ProfilePaths.resolve(a.p2pPath(), hw, ProfilePaths.p2pFile(a.nodes(), a.gpusPerNode()), "--p2p_bandwidth_config_path");
        Path overlap = ProfilePaths.resolve(a.overlapPath(), hw, ProfilePaths.OVERLAP_FILE, "--overlap_coe_path");
        String spName = ProfilePaths.spTimeFile(a.nodes(), a.gpusPerNode());
        // SP collective times are read only when the cost needs them (sp_space tp+sp), unless the user names them.
        Path sp = a.needSpTimes() ? ProfilePaths.resolve(a.spTimePath(), hw, spName, "--sp_time_path")
                : ProfilePaths.resolveOptional(a.spTimePath(), hw, spName, "--sp_time_path");
        return HardwareProfile.read(a.worldSize(), allreduce, p2p, overlap, sp);
    }

    public Path memoryProfile(ModelDescription model, ProfileArgs a) {
        return ProfilePaths.resolve(a.memoryProfilingPath(), modelConfigDir(model),
                ProfilePaths.memoryFile(a.mixedPrecision(), model.profileName()), "--memory_profiling_path");
    }

    public Path computationProfile(ModelDescription model, ProfileArgs a) {
        return ProfilePaths.resolve(a.timeProfilingPath(), modelConfigDir(model),
                ProfilePaths.computationFile(a.mixedPrecision(), model.profileName()), "--time_profiling_path");
    }

    /**
     * Whether the memory profile only holds Megatron-SP entries: a run without {@code --sequence_parallel} cannot be
     * costed from it (Galvatron stops with a KeyError), so callers may switch SP on and say so.
     */
    public boolean profileNeedsSequenceParallel(ModelDescription model, ProfileArgs a) {
        MemoryProfile m = MemoryProfile.read(memoryProfile(model, a));
        return !m.hasVariant(false) && m.hasVariant(true);
    }

    public ProfileBundle load(ModelDescription model, ProfileArgs a) {
        Path time = computationProfile(model, a);
        Path mem = memoryProfile(model, a);
        return ProfileLoader.load(model, time, a.timeMode(), mem, a.memoryMode(), a.sequenceParallel(), hardware(a));
    }

    /** The sample-configs folder: {@code -Dgstudio.home}, else the nearest one above the working directory. */
    public static Path defaultSampleRoot() {
        String home = System.getProperty("gstudio.home");
        if (home != null) return Path.of(home).resolve("sample-configs");
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (java.nio.file.Files.isDirectory(p.resolve("sample-configs"))) return p.resolve("sample-configs");
            p = p.getParent();
        }
        return Path.of("sample-configs").toAbsolutePath();
    }
}
