package studio.engine.cost;

/**
 * Memory of one pipeline stage on one GPU (MB). Galvatron lumps parameters, gradients and optimizer states into
 * "model states" of 16 bytes per parameter (fp32 weight, gradient and two Adam moments); the split here is that
 * 4:4:8 split of the lumped, ZeRO-sharded value, so the three always add up to Galvatron's number.
 *
 * @param layerWeightsMb  the knapsack weight of the stage's layers (sum of per-layer ceilings)
 * @param otherMb         embedding/head modules, the 1024 MB CUDA context and the Megatron-SP buffer
 * @param reservedMb      Galvatron's 20 % cache reserve (0 at 20 GB and below)
 * @param totalMb         Galvatron's "memory cost": layers + other + reserve
 * @param budgetMb        the memory constraint
 * @param expertStatesMb  of parameters, gradients and optimizer states, the routed experts' (0 without experts)
 */
public record StageMemory(int stage, int layers, double parametersMb, double gradientsMb, double optimizerStatesMb,
                          double activationsMb, int layerWeightsMb, int otherMb, int reservedMb, int totalMb, int budgetMb,
                          double expertStatesMb) {
    public StageMemory(int stage, int layers, double parametersMb, double gradientsMb, double optimizerStatesMb, double activationsMb,
                       int layerWeightsMb, int otherMb, int reservedMb, int totalMb, int budgetMb) {
        this(stage, layers, parametersMb, gradientsMb, optimizerStatesMb, activationsMb, layerWeightsMb, otherMb, reservedMb, totalMb, budgetMb, 0);
    }

    /** The model states that are not the experts' (parameters + gradients + optimizer states - expert states). */
    public double denseStatesMb() { return parametersMb + gradientsMb + optimizerStatesMb - expertStatesMb; }

    public boolean fits() { return totalMb <= budgetMb; }

    public int remainingMb() { return budgetMb - totalMb; }
}
