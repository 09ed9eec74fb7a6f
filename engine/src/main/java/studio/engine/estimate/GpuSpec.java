package studio.engine.estimate;

/**
 * A GPU as the estimator sees it.
 *
 * @param id              the name used on the command line ({@code H100-80GB-SXM})
 * @param memoryGb        device memory
 * @param denseBf16Tflops dense bf16/fp16 tensor throughput (no sparsity)
 * @param denseFp32Tflops fp32 throughput used for fp32 training (TF32 tensor cores where the GPU has them)
 * @param intraBusGBps    NCCL all-reduce bus bandwidth among the 8 GPUs of a node
 * @param intraP2pGBps    point-to-point bandwidth between two GPUs of a node
 * @param source          where the figures come from
 */
public record GpuSpec(String id, int memoryGb, double denseBf16Tflops, double denseFp32Tflops, double intraBusGBps,
                      double intraP2pGBps, String source) {
    /** The dense peak a training precision runs at, TFLOP/s: fp32's for fp32, the bf16 tensor cores' for fp16 and bf16. */
    public double denseTflops(studio.engine.model.Precision precision) {
        return precision.mixed() ? denseBf16Tflops : denseFp32Tflops;
    }
}
