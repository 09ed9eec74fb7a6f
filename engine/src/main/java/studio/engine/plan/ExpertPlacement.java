package studio.engine.plan;

/**
 * Where one MoE layer's routed experts live (the 3.0 runtime's {@code ep_sizes_enc} and {@code tp_of_ep_sizes_enc}):
 * split over {@code ep} expert-parallel ranks, each expert over {@code expertTp} ranks. {@link #NONE} for a dense
 * layer, or experts on every rank.
 */
public record ExpertPlacement(int ep, int expertTp) {
    public static final ExpertPlacement NONE = new ExpertPlacement(1, 1);

    public ExpertPlacement {
        if (ep < 1 || expertTp < 1) throw new IllegalArgumentException("ep " + ep + " and expert tp " + expertTp + " must be at least 1");
    }

    public boolean placed() { return ep > 1 || expertTp > 1; }
}
