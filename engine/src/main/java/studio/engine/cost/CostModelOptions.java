package studio.engine.cost;

import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;

/**
 * Everything besides profiles that changes a cost: the cluster, the budget and Galvatron's training flags.
 *
 * @param worldSize          GPUs in the cluster
 * @param memoryConstraintGb per-GPU memory budget in GB (Galvatron's {@code --memory_constraint})
 * @param mixedPrecision     {@code fp32}, {@code fp16} or {@code bf16}
 * @param asyncGradReduce    Galvatron's default; {@code --no_async_grad_reduce} turns it off
 * @param sequenceParallel   Megatron sequence parallelism ({@code --sequence_parallel})
 * @param spSpace            {@code --sp_space}
 * @param pipelineType       the pipeline schedule
 * @param defaultDpType      what non-ZeRO-3 DP layers use
 * @param disableVtp         {@code --disable_vtp}
 * @param globalMemoryBuffer Megatron-SP all-gather buffer ({@code --no_global_memory_buffer} turns it off)
 * @param costmodelCoe       multiplies every layer time
 */
public record CostModelOptions(int worldSize, int memoryConstraintGb, String mixedPrecision, boolean asyncGradReduce,
                               boolean sequenceParallel, SpSpace spSpace, PipelineType pipelineType, DpType defaultDpType,
                               boolean disableVtp, boolean globalMemoryBuffer, double costmodelCoe) {
    public CostModelOptions {
        if (!studio.engine.model.Precision.isConfigName(mixedPrecision)) throw new IllegalArgumentException("--mixed_precision: expected fp32, fp16 or bf16, got '" + mixedPrecision + "'");
        if (worldSize < 1) throw new IllegalArgumentException("world size must be positive");
        if (memoryConstraintGb < 1) throw new IllegalArgumentException("--memory_constraint must be a positive number of GB");
    }

    /** Galvatron's defaults for 1 node x 8 GPUs. */
    public static CostModelOptions defaults(int worldSize, int memoryGb) {
        return new CostModelOptions(worldSize, memoryGb, "bf16", true, false, SpSpace.TP, PipelineType.GPIPE, DpType.DDP,
                false, true, 1.0);
    }

    /** Everything but fp32 trains in mixed precision (compared without parsing: the cost model asks per layer). */
    public boolean mixed() { return !studio.engine.model.Precision.FP32.configName().equals(mixedPrecision); }

    public boolean useZero2() { return defaultDpType == DpType.ZERO2; }

    public CostModelOptions withPipelineType(PipelineType t) {
        return new CostModelOptions(worldSize, memoryConstraintGb, mixedPrecision, asyncGradReduce, sequenceParallel, spSpace, t,
                defaultDpType, disableVtp, globalMemoryBuffer, costmodelCoe);
    }

    public CostModelOptions withDefaultDpType(DpType t) {
        return new CostModelOptions(worldSize, memoryConstraintGb, mixedPrecision, asyncGradReduce, sequenceParallel, spSpace,
                pipelineType, t, disableVtp, globalMemoryBuffer, costmodelCoe);
    }

    public CostModelOptions withMemoryConstraintGb(int gb) {
        return new CostModelOptions(worldSize, gb, mixedPrecision, asyncGradReduce, sequenceParallel, spSpace, pipelineType,
                defaultDpType, disableVtp, globalMemoryBuffer, costmodelCoe);
    }

    public CostModelOptions withSpSpace(SpSpace space) {
        return new CostModelOptions(worldSize, memoryConstraintGb, mixedPrecision, asyncGradReduce, sequenceParallel, space, pipelineType,
                defaultDpType, disableVtp, globalMemoryBuffer, costmodelCoe);
    }

    /** Total MB (Galvatron's {@code memory_constraint * 1024}). */
    public int totalMemoryMb() { return memoryConstraintGb * 1024; }

    /** Galvatron reserves 20 % "for the PyTorch cache" only above 20 GB (quirk Q25). */
    public int cacheReserveMb() {
        return cacheReserveMb(totalMemoryMb());
    }

    /** The reserve of a budget of {@code totalMb}: 20 % above 20 GB, else nothing (quirk Q25). */
    public static int cacheReserveMb(int totalMb) {
        return totalMb / 1024 > 20 ? (int) (totalMb * 0.2) : 0;
    }

    /** The budget the per-layer knapsack works with. */
    public int usableMemoryMb() { return totalMemoryMb() - cacheReserveMb(); }
}
