package studio.engine.search.v3;

/**
 * The studio's expert-parallel search space for an MoE model (docs/EXPERT_PARALLEL.md): every power-of-two expert
 * parallel degree {@code ep} that divides the experts, and expert TP degree that divides an expert's width, whose
 * product divides a stage, up to these limits ({@code search_space_info.max_ep_deg} and {@code max_tp_of_ep_deg}).
 */
public record ExpertSpace(int experts, int expertFfn, int maxEp, int maxExpertTp) {
    public ExpertSpace {
        if (experts < 1 || expertFfn < 1 || maxEp < 1 || maxExpertTp < 1) {
            throw new IllegalArgumentException("experts " + experts + ", expert width " + expertFfn + ", max ep " + maxEp
                    + ", max expert tp " + maxExpertTp + ": expected positive figures");
        }
    }

    /** Whether ep x expert TP is a layout the runtime builds for a stage of {@code stageGpus}. */
    public boolean allows(int ep, int expertTp, int stageGpus) {
        return Integer.bitCount(ep) == 1 && Integer.bitCount(expertTp) == 1 && ep <= maxEp && expertTp <= maxExpertTp
                && experts % ep == 0 && expertFfn % expertTp == 0 && stageGpus % (ep * expertTp) == 0;
    }

    /** Every layout {@link #allows} for a stage of {@code stageGpus}, by ep then expert TP. */
    public java.util.List<studio.engine.plan.ExpertPlacement> layouts(int stageGpus) {
        java.util.List<studio.engine.plan.ExpertPlacement> out = new java.util.ArrayList<>();
        for (int ep = 1; ep <= stageGpus; ep *= 2) {
            for (int etp = 1; ep * etp <= stageGpus; etp *= 2) {
                if (allows(ep, etp, stageGpus)) out.add(new studio.engine.plan.ExpertPlacement(ep, etp));
            }
        }
        return out;
    }
}
