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

    /** A fresh folder for one cluster's estimates. */
    public static Path folder(String gpuId, int nodes, int gpusPerNode) throws IOException {
        return Files.createTempDirectory("gstudio-estimated-" + gpuId + "-" + nodes + "x" + gpusPerNode + "-");
    }

    public static List<String> gpus() {
        return GpuCatalog.ids();
    }
}
