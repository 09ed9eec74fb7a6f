package studio.engine.estimate;

/**
 * The network between nodes.
 *
 * @param name        e.g. "8 x 400 Gb/s InfiniBand NDR"
 * @param perGpuGBps  network bandwidth per GPU (one NIC per GPU, rail-optimised)
 */
public record Fabric(String name, double perGpuGBps) {
    /** NCCL reaches about 80 % of the line rate across nodes (bus bandwidth of large all-reduces). */
    public double busGBps() {
        return perGpuGBps * 0.8;
    }
}
