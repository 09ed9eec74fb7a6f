package studio.engine.estimate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;
import studio.engine.profile.ProfilePaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Galvatron hardware files for a cluster of {@code nodes} x {@code gpusPerNode} GPUs: measured ones where Galvatron
 * published them (A100-80GB SXM, 1 and 2 nodes), otherwise estimated from the GPU's and the fabric's bandwidths.
 *
 * <p>The model: a collective whose group stays inside a node runs at the node's NCCL bus bandwidth; one that spans
 * nodes (consecutive groups larger than a node, every strided group and the whole world on several nodes) at the
 * fabric's, capped by the node's. Point-to-point between pipeline stages crosses nodes once a stage fills whole
 * nodes. The overlap slowdown is Galvatron's A100 measurement (1.1256) for every GPU. SP collective times are
 * latency plus ring volume over that bandwidth: 2(g-1)/g x size for all-reduce, (g-1)/g x size for all-to-all.
 */
public final class HardwareEstimator {
    public static final double OVERLAP_COE = 1.125552573612729;
    private static final int[] SIZES_MB = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private HardwareEstimator() {
    }

    /** What was written and whether it was measured or estimated. */
    public record Written(List<Path> files, boolean estimated, String source) {
    }

    public static Written write(String gpuId, int nodes, int gpusPerNode, Path outDir, Path measuredDir) throws IOException {
        GpuSpec gpu = GpuCatalog.gpu(gpuId);
        if (nodes < 1 || gpusPerNode < 1 || !studio.engine.plan.PlanValidator.powerOfTwo(nodes * gpusPerNode)) {
            throw new IllegalArgumentException("the cluster needs a power-of-two number of GPUs, got " + nodes + " x " + gpusPerNode);
        }
        Files.createDirectories(outDir);
        String ar = ProfilePaths.allreduceFile(nodes, gpusPerNode);
        String p2p = ProfilePaths.p2pFile(nodes, gpusPerNode);
        String sp = ProfilePaths.spTimeFile(nodes, gpusPerNode);
        List<Path> files = new ArrayList<>();
        if (gpu.id().equals(GpuCatalog.MEASURED) && measuredDir != null && Files.isRegularFile(measuredDir.resolve(ar))
                && Files.isRegularFile(measuredDir.resolve(p2p))) {
            for (String f : new String[] {ar, p2p, ProfilePaths.OVERLAP_FILE, sp}) {
                if (Files.isRegularFile(measuredDir.resolve(f)) && !measuredDir.resolve(f).toAbsolutePath().equals(outDir.resolve(f).toAbsolutePath())) {
                    Files.copy(measuredDir.resolve(f), outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
                if (Files.isRegularFile(outDir.resolve(f))) files.add(outDir.resolve(f));
            }
            if (!Files.isRegularFile(outDir.resolve(sp))) {
                files.add(write(outDir.resolve(sp), spTimes(gpu, nodes, gpusPerNode)));
                return new Written(files, true, "Galvatron's measured A100 files; SP times estimated");
            }
            return new Written(files, false, "Galvatron's measured A100 files");
        }
        files.add(write(outDir.resolve(ar), allreduce(gpu, nodes, gpusPerNode)));
        files.add(write(outDir.resolve(p2p), p2p(gpu, nodes, gpusPerNode)));
        ObjectNode ov = JsonFiles.mapper().createObjectNode();
        ov.put("overlap_coe", OVERLAP_COE);
        files.add(write(outDir.resolve(ProfilePaths.OVERLAP_FILE), ov));
        files.add(write(outDir.resolve(sp), spTimes(gpu, nodes, gpusPerNode)));
        return new Written(files, true, "estimated: " + gpu.source() + "; between nodes " + GpuCatalog.fabric(gpu.id()).name());
    }

    private static Path write(Path file, ObjectNode json) throws IOException {
        JsonFiles.writeAtomically(file, json.toPrettyString());
        return file;
    }

    /** Bus bandwidth of a group of {@code g} GPUs, consecutive ranks or strided. */
    static double busGBps(GpuSpec gpu, int nodes, int gpusPerNode, int g, boolean consecutive) {
        boolean spans = nodes > 1 && (!consecutive || g > gpusPerNode);
        return spans ? Math.min(gpu.intraBusGBps(), GpuCatalog.fabric(gpu.id()).busGBps()) : gpu.intraBusGBps();
    }

    static ObjectNode allreduce(GpuSpec gpu, int nodes, int gpn) {
        int world = nodes * gpn;
        ObjectNode o = JsonFiles.mapper().createObjectNode();
        if (world >= 2) o.put("allreduce_size_" + world + "_consec_1", round(busGBps(gpu, nodes, gpn, world, true)));
        for (int g = world / 2; g >= 2; g /= 2) {
            o.put("allreduce_size_" + g + "_consec_1", round(busGBps(gpu, nodes, gpn, g, true)));
            o.put("allreduce_size_" + g + "_consec_0", round(busGBps(gpu, nodes, gpn, g, false)));
        }
        return o;
    }

    static ObjectNode p2p(GpuSpec gpu, int nodes, int gpn) {
        int world = nodes * gpn;
        ObjectNode o = JsonFiles.mapper().createObjectNode();
        for (int p = 2; p <= world; p *= 2) {
            boolean crosses = nodes > 1 && world / p >= gpn;
            o.put("pp_size_" + p, round(crosses ? Math.min(gpu.intraP2pGBps(), GpuCatalog.fabric(gpu.id()).busGBps()) : gpu.intraP2pGBps()));
        }
        return o;
    }

    static ObjectNode spTimes(GpuSpec gpu, int nodes, int gpn) {
        int world = nodes * gpn;
        ObjectNode o = JsonFiles.mapper().createObjectNode();
        for (String op : new String[] {"allreduce", "all2all"}) {
            for (int g = world; g >= 2; g /= 2) {
                double bw = busGBps(gpu, nodes, gpn, g, true);
                boolean spans = nodes > 1 && g > gpn;
                double latency = (spans ? 0.05 : 0.02) + 0.005 * (31 - Integer.numberOfLeadingZeros(g));
                for (int mb : SIZES_MB) {
                    double volume = op.equals("allreduce") ? 2.0 * (g - 1) / g * mb : (g - 1.0) / g * mb;
                    o.put(op + "_size_" + g + "_" + mb + "MB_time", round(latency + volume / bw));
                }
            }
        }
        return o;
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
