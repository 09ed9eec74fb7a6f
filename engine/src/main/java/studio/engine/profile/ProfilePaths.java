package studio.engine.profile;

import studio.engine.io.InputFileException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Galvatron's profile file naming (search-engine spec §2.1); a path argument may name the folder or the file. */
public final class ProfilePaths {
    private ProfilePaths() {
    }

    public static String computationFile(String precision, String modelName) {
        return "computation_profiling_" + precision + "_" + modelName + ".json";
    }

    public static String memoryFile(String precision, String modelName) {
        return "memory_profiling_" + precision + "_" + modelName + ".json";
    }

    public static String allreduceFile(int nodes, int gpusPerNode) {
        return "allreduce_bandwidth_" + nodes + "nodes_" + gpusPerNode + "gpus_per_node.json";
    }

    public static String p2pFile(int nodes, int gpusPerNode) {
        return "p2p_bandwidth_" + nodes + "nodes_" + gpusPerNode + "gpus_per_node.json";
    }

    public static String spTimeFile(int nodes, int gpusPerNode) {
        return "sp_time_" + nodes + "nodes_" + gpusPerNode + "gpus_per_node.json";
    }

    public static final String OVERLAP_FILE = "overlap_coefficient.json";

    /**
     * @param arg         the user's argument (a folder or a file), or null
     * @param defaultDir  where Galvatron looks when the argument is absent
     * @param fileName    Galvatron's file name for this input
     * @param option      the option's name, for the error message
     */
    public static Path resolve(String arg, Path defaultDir, String fileName, String option) {
        Path p;
        if (arg == null) {
            p = defaultDir.resolve(fileName);
        } else {
            Path given = Path.of(arg);
            p = Files.isDirectory(given) ? given.resolve(fileName) : given;
        }
        if (!Files.isRegularFile(p)) {
            throw new InputFileException(p, option, "file not found (expected " + fileName + (arg == null
                    ? " in the default folder " + defaultDir : "") + ")");
        }
        return p;
    }

    /** Like {@link #resolve} but returns null when the default file does not exist (optional inputs). */
    public static Path resolveOptional(String arg, Path defaultDir, String fileName, String option) {
        if (arg == null && !Files.isRegularFile(defaultDir.resolve(fileName))) return null;
        return resolve(arg, defaultDir, fileName, option);
    }
}
