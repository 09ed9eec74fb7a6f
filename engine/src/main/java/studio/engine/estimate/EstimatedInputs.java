package studio.engine.estimate;

import studio.engine.model.ModelDescription;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes estimated model profiles and a hardware preset into one folder, Galvatron-named, for the readers to load. */
public final class EstimatedInputs {
    private EstimatedInputs() {
    }

    /**
     * @param measuredHardware Galvatron's measured hardware files (used for A100-80GB SXM where they exist), or null
     * @return a one-line description of what was estimated
     */
    public static String write(ModelDescription model, String gpuId, int nodes, int gpusPerNode, String precision, Path dir,
                               Path measuredHardware, boolean modelProfiles, boolean hardware) throws IOException {
        GpuSpec gpu = GpuCatalog.gpu(gpuId);
        Files.createDirectories(dir);
        StringBuilder what = new StringBuilder();
        if (modelProfiles) {
            int maxTp = Math.max(1, Math.min(64, nodes * gpusPerNode));
            new ProfileEstimator(Calibration.a100()).write(model, gpu, precision, maxTp, dir);
            what.append("model profiles of ").append(model.name()).append(" estimated from its shape and the ").append(gpu.id())
                    .append(" datasheet (calibrated on Galvatron's A100 measurements)");
        }
        if (hardware) {
            HardwareEstimator.Written w = HardwareEstimator.write(gpu.id(), nodes, gpusPerNode, dir, measuredHardware);
            if (what.length() > 0) what.append("; ");
            what.append("hardware ").append(nodes).append(" x ").append(gpusPerNode).append(' ').append(gpu.id()).append(": ").append(w.source());
        }
        return what.toString();
    }

    /** The folders this process wrote and has not discarded: removed when it exits, never left in the temp folder. */
    private static final java.util.Set<Path> WRITTEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> WRITTEN.forEach(EstimatedInputs::deleteTree), "remove-estimates"));
    }

    /** A fresh folder for one cluster's estimates (removed by {@link #discard} once read, or when the process exits). */
    public static Path folder(String gpuId, int nodes, int gpusPerNode) throws IOException {
        Path dir = Files.createTempDirectory("gstudio-estimated-" + gpuId + "-" + nodes + "x" + gpusPerNode + "-");
        WRITTEN.add(dir);
        return dir;
    }

    /** The estimates have been read: their folder goes. */
    public static void discard(Path dir) {
        if (WRITTEN.remove(dir)) deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // a file another process holds open: the temp folder's own clean-up takes it
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }

    public static List<String> gpus() {
        return GpuCatalog.ids();
    }
}
