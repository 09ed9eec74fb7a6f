package studio.engine.cost;

/**
 * Memory of one layer on one rank (MB).
 *
 * @param realChunks        micro-batches Galvatron's memory model assumes for this layer
 * @param activationSamples samples whose activations are alive at the peak ({@code b_act})
 * @param parameterMb       fp32-equivalent parameter MB held before ZeRO sharding
 * @param modelStatesMb     parameters, gradients and optimizer states after ZeRO sharding
 * @param activationMb      activations at the peak
 * @param expertStatesMb    of the model states, an MoE layer's routed experts' (0 for a dense layer)
 * @param updatedParameterMb of the parameters, those this GPU's optimizer step updates (its ZeRO shard)
 */
public record LayerMemory(int realChunks, double activationSamples, double parameterMb, double modelStatesMb,
                          double activationMb, double expertStatesMb, double updatedParameterMb) {

    public double totalMb() { return modelStatesMb + activationMb; }

    /** What the knapsack uses: the total rounded up to whole MB. */
    public int weightMb() { return (int) Math.ceil(totalMb()); }
}
