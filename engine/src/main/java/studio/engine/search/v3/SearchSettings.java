package studio.engine.search.v3;

import studio.engine.cost.v3.CostSettings;
import studio.engine.plan.DpType;

/**
 * Everything Galvatron 3.0's search reads from its {@code GalvatronSearchArgs} (v3 spec §2.7) besides the profiles.
 *
 * @param modelName          the profile and output name ({@code model_size}'s last path component)
 * @param memoryConstraintGb per GPU
 * @param fineGrained        layer-wise DP ({@code fine_grained_mode != 0}); false: one strategy for all layers
 * @param defaultDpType      as given; {@code zero3} enumerates like {@code zero2} (quirk Q-v3-7)
 * @param studio             the studio's mode: where Galvatron 3.0 would die but the inputs allow a search, search
 * @param experts            the expert layouts searched per MoE layer (studio mode), or null
 */
public record SearchSettings(String modelName, int numNodes, int gpusPerNode, int memoryConstraintGb, BatchRange batch,
                             SpaceLimits space, boolean fineGrained, DpType defaultDpType, CostSettings cost, boolean studio,
                             ExpertSpace experts) {
    public SearchSettings(String modelName, int numNodes, int gpusPerNode, int memoryConstraintGb, BatchRange batch, SpaceLimits space,
                          boolean fineGrained, DpType defaultDpType, CostSettings cost) {
        this(modelName, numNodes, gpusPerNode, memoryConstraintGb, batch, space, fineGrained, defaultDpType, cost, false, null);
    }

    public SearchSettings(String modelName, int numNodes, int gpusPerNode, int memoryConstraintGb, BatchRange batch, SpaceLimits space,
                          boolean fineGrained, DpType defaultDpType, CostSettings cost, boolean studio) {
        this(modelName, numNodes, gpusPerNode, memoryConstraintGb, batch, space, fineGrained, defaultDpType, cost, studio, null);
    }

    public int worldSize() { return numNodes * gpusPerNode; }

    /** {@code memory_constraint * 1024}. */
    public int totalMemoryMb() { return memoryConstraintGb * 1024; }

    /** Galvatron's 20% reserve, only above 20 GB (quirk Q-v3-28). */
    public int cacheReserveMb() {
        int total = totalMemoryMb();
        return total / 1024 > 20 ? (int) (total * 0.2) : 0;
    }

    /** The budget the knapsack gets. */
    public int budgetMb() { return totalMemoryMb() - cacheReserveMb(); }
}
