package studio.engine.cost;

import studio.engine.plan.RuleViolation;

import java.util.List;

/**
 * Everything the engine says about one plan.
 *
 * @param minTp           the min-tp used to split the batch (Galvatron's task parameter τ)
 * @param maxTp           the max-tp (Galvatron's T; sizes the SP buffer and the vocab TP range)
 * @param microBatchSize  samples per micro-batch per min-tp group ({@code m_p})
 * @param realChunks      micro-batches the pipeline model runs
 * @param iterationS      seconds per iteration (Galvatron's pipeline cost)
 * @param throughput      samples per second
 * @param violations      broken runtime rules
 */
public record PlanEstimate(List<StageMemory> memory, List<StageTime> time, List<LayerMemory> layerMemory,
                           List<LayerTime> layerTime, int minTp, int maxTp, int microBatchSize, int realChunks,
                           double iterationS, double throughput, List<RuleViolation> violations) {
    public PlanEstimate {
        memory = List.copyOf(memory);
        time = List.copyOf(time);
        layerMemory = List.copyOf(layerMemory);
        layerTime = List.copyOf(layerTime);
        violations = List.copyOf(violations);
    }

    public boolean fitsMemory() {
        return memory.stream().allMatch(StageMemory::fits);
    }

    public int peakMemoryMb() {
        return memory.stream().mapToInt(StageMemory::totalMb).max().orElse(0);
    }
}
