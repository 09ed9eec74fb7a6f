package studio.engine.estimate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The GPUs the estimator knows, with the network each preset assumes between nodes. */
public final class GpuCatalog {
    /** The GPU Galvatron's published profiles were measured on, and what an estimate assumes when nothing says. */
    public static final String MEASURED = "A100-80GB-SXM";
    private static final Map<String, GpuSpec> GPUS = new LinkedHashMap<>();
    private static final Map<String, Fabric> FABRICS = new LinkedHashMap<>();

    static {
        add(new GpuSpec(MEASURED, 80, 312, 156, 154.2, 163.7,
                "NVIDIA A100 datasheet (312 TFLOPS dense bf16, TF32 156); NVLink bandwidths from Galvatron's measured 1 x 8 A100 files"),
                new Fabric("8 x 200 Gb/s InfiniBand HDR", 25));
        add(new GpuSpec("A100-40GB-SXM", 40, 312, 156, 154.2, 163.7,
                "NVIDIA A100 datasheet; same NVLink 3 as the 80 GB part (Galvatron's measured A100 bandwidths)"),
                new Fabric("8 x 200 Gb/s InfiniBand HDR", 25));
        add(new GpuSpec("H100-80GB-SXM", 80, 989, 495, 360, 380,
                "NVIDIA H100 SXM datasheet (989 TFLOPS dense bf16, TF32 495); NVLink 4 900 GB/s, NCCL all-reduce bus bandwidth about 360 GB/s (typical nccl-tests, mid-size messages)"),
                new Fabric("8 x 400 Gb/s InfiniBand NDR", 50));
        add(new GpuSpec("H200-SXM", 141, 989, 495, 360, 380,
                "NVIDIA H200 SXM datasheet (same Hopper compute as H100, 141 GB HBM3e); NVLink 4 as H100"),
                new Fabric("8 x 400 Gb/s InfiniBand NDR", 50));
        add(new GpuSpec("L40S-PCIe", 48, 362, 183, 20, 22,
                "NVIDIA L40S datasheet (362 TFLOPS dense bf16, TF32 183); no NVLink: PCIe Gen4 x16 through the host, NCCL about 20 GB/s"),
                new Fabric("8 x 100 Gb/s Ethernet (RoCE)", 12.5));
        add(new GpuSpec("RTX4090-PCIe", 24, 165, 83, 12, 12,
                "NVIDIA Ada whitepaper (165 TFLOPS dense bf16 with fp32 accumulate, TF32 83); no NVLink and no PCIe peer-to-peer, NCCL about 12 GB/s"),
                new Fabric("1 x 100 Gb/s Ethernet per node", 1.56));
    }

    private GpuCatalog() {
    }

    private static void add(GpuSpec g, Fabric f) {
        GPUS.put(g.id().toLowerCase(Locale.ROOT), g);
        FABRICS.put(g.id().toLowerCase(Locale.ROOT), f);
    }

    public static List<String> ids() {
        return GPUS.values().stream().map(GpuSpec::id).toList();
    }

    public static GpuSpec gpu(String id) {
        GpuSpec g = GPUS.get(id.toLowerCase(Locale.ROOT));
        if (g == null) throw new IllegalArgumentException("unknown GPU '" + id + "'; expected one of " + ids());
        return g;
    }

    public static Fabric fabric(String gpuId) {
        gpu(gpuId);
        return FABRICS.get(gpuId.toLowerCase(Locale.ROOT));
    }
}
