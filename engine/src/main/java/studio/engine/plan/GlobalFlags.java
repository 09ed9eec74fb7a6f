package studio.engine.plan;

import java.util.List;

/**
 * A plan as Galvatron v2's GLOBAL-mode flags of {@code train_dist.py} (profiler-runtime spec §4.1), for a run without a
 * JSON config: one strategy for every layer, Galvatron's even division, consecutive TP groups (GLOBAL mode uses them
 * whatever is given). A plan the flags cannot say is refused with the reason, never run as another plan.
 */
public record GlobalFlags(int ppDeg, int globalTpDeg, boolean sdp, int chunks, boolean globalCheckpoint, int vocabTp, boolean embedSdp,
                          PipelineType pipelineType, DpType defaultDpType, int globalBatch) {

    /** The flags, or why the plan needs its JSON config. */
    public record Result(GlobalFlags flags, String whyNot) {
    }

    public static Result of(ParallelPlan plan) {
        List<LayerStrategy> layers = plan.layers();
        if (layers.isEmpty()) return new Result(null, "the plan has no layers");
        LayerStrategy first = layers.get(0);
        for (int i = 1; i < layers.size(); i++) {
            if (!layers.get(i).equals(first)) {
                return new Result(null, "layer " + i + " (" + layers.get(i).form() + ") differs from layer 0 (" + first.form()
                        + "): GLOBAL mode gives every layer one strategy");
            }
        }
        if (first.isUlysses()) return new Result(null, "Ulysses layers: GLOBAL mode's --use-ulysses also sets the vocabulary's sp");
        if (first.tp() > 1 && first.dp() > 1 && !first.hasConsecutiveTpFlag()) {
            return new Result(null, "non-consecutive TP groups: GLOBAL mode always uses consecutive ones");
        }
        if (plan.cpSizes().stream().anyMatch(c -> c > 1)) return new Result(null, "context parallelism needs the JSON config's cp_sizes_enc");
        if (plan.placesExperts()) return new Result(null, "an expert placement needs 3.0's config (ep_sizes_enc)");
        if (plan.vocabUlysses()) return new Result(null, "Ulysses vocabulary layers: GLOBAL mode has no vsp flag");
        if (!plan.pipelineDivision().equals(ParallelPlan.evenDivision(plan.layerCount(), plan.pp()))) {
            return new Result(null, "pp_division " + plan.pipelineDivision() + " is not Galvatron's even division "
                    + ParallelPlan.evenDivision(plan.layerCount(), plan.pp()) + " that GLOBAL mode uses");
        }
        return new Result(new GlobalFlags(plan.pp(), first.tp(), first.isZero3(), plan.chunks(), first.checkpoint(), plan.vocabTp(),
                plan.embedSdp(), plan.pipelineType(), plan.defaultDpType(), plan.globalBatch()), null);
    }
}
