package studio.engine.plan.v3;

import studio.engine.plan.DpType;

import java.util.Comparator;

/**
 * Galvatron 3.0's strategy object (v3 spec §3.1): pipeline, Megatron-TP, Ulysses, context-parallel and data-parallel
 * degrees, the data-parallel type and activation checkpointing. A vocabulary (embedding / LM-head) strategy is the
 * same record with {@code checkpoint} false. Megatron-TP and Ulysses never combine; a group of one is always DDP.
 *
 * <p>For an MoE layer the studio adds the expert layout the 3.0 runtime builds beside it ({@code comm_groups.py}, ranks
 * ordered pp-ep-edp-etp): expert-parallel degree {@code ep} (experts split over ep ranks), expert tensor parallelism
 * {@code expertTp} ({@code tp_of_ep}), and the expert-data-parallel group over what is left of the stage,
 * {@code edp = stage / (ep * expertTp)}, over which the experts' ZeRO shards and gradients reduce. Both are 1 for a dense
 * layer and for the vocabulary; Galvatron 3.0's own search never sets them.
 */
public record HybridStrategy(int pp, int tp, int sp, int cp, int dp, DpType dpType, boolean checkpoint, int ep, int expertTp)
        implements Comparable<HybridStrategy> {
    /** Galvatron's total order: lexicographic on (pp, tp, sp, cp, dp, dp type, checkpoint). */
    private static final Comparator<HybridStrategy> ORDER = Comparator.comparingInt(HybridStrategy::pp)
            .thenComparingInt(HybridStrategy::tp).thenComparingInt(HybridStrategy::sp)
            .thenComparingInt(HybridStrategy::cp).thenComparingInt(HybridStrategy::dp)
            .thenComparing(HybridStrategy::dpType).thenComparing(HybridStrategy::checkpoint)
            .thenComparingInt(HybridStrategy::ep).thenComparingInt(HybridStrategy::expertTp);

    // equals and hashCode written out, with the same equality as the generated ones: a record's own are bootstrapped
    // through method handles at their first use, which JDK 17's class-data archive does not keep (7 ms of every 3.0 search's start)
    @Override
    public boolean equals(Object o) {
        return o instanceof HybridStrategy h && pp == h.pp && tp == h.tp && sp == h.sp && cp == h.cp && dp == h.dp && dpType == h.dpType
                && checkpoint == h.checkpoint && ep == h.ep && expertTp == h.expertTp;
    }

    @Override
    public int hashCode() {
        int h = ((((pp * 31 + tp) * 31 + sp) * 31 + cp) * 31 + dp) * 31 + dpType.hashCode();
        return ((h * 31 + Boolean.hashCode(checkpoint)) * 31 + ep) * 31 + expertTp;
    }

    public HybridStrategy {
        if (pp < 1 || tp < 1 || sp < 1 || cp < 1 || dp < 1) {
            throw new IllegalArgumentException("degrees must be at least 1: pp " + pp + ", tp " + tp + ", sp " + sp + ", cp " + cp + ", dp " + dp);
        }
        if (tp > 1 && sp > 1) throw new IllegalArgumentException("Megatron-TP " + tp + " and Ulysses " + sp + " cannot combine in one layer");
        if (ep < 1 || expertTp < 1 || (tp * sp * cp * dp) % (ep * expertTp) != 0) {
            throw new IllegalArgumentException("ep " + ep + " x expert tp " + expertTp + " must divide the " + tp * sp * cp * dp + " GPUs of a stage");
        }
        // a group of one has nothing to shard; with experts placed, their own group (edp) may still have
        if (dp * sp * cp == 1 && (ep * expertTp == 1 || (tp * sp * cp * dp) / (ep * expertTp) == 1)) dpType = DpType.DDP;
    }

    /** A dense layer's (or the vocabulary's) strategy: no experts to place. */
    public HybridStrategy(int pp, int tp, int sp, int cp, int dp, DpType dpType, boolean checkpoint) {
        this(pp, tp, sp, cp, dp, dpType, checkpoint, 1, 1);
    }

    /** The same layout with the experts placed over {@code ep} x {@code expertTp}. */
    public HybridStrategy withExperts(int expertParallel, int expertTensorParallel) {
        return new HybridStrategy(pp, tp, sp, cp, dp, dpType, checkpoint, expertParallel, expertTensorParallel);
    }

    /** The same layout with the experts where {@code placement} puts them. */
    public HybridStrategy withExpertsOf(studio.engine.plan.ExpertPlacement placement) {
        return placement.placed() ? withExperts(placement.ep(), placement.expertTp()) : this;
    }

    /** GPUs of one stage: tp * sp * cp * dp. */
    public int stageGpus() { return tp * sp * cp * dp; }

    /** The expert-data-parallel degree ({@code edp} of {@code comm_groups.py}): stage / (ep * expertTp). */
    public int expertDataParallel() { return stageGpus() / (ep * expertTp); }

    /** Whether the experts are split at all (a plan with none of it writes no {@code ep_sizes_enc}). */
    public boolean placesExperts() { return ep > 1 || expertTp > 1; }

    /** The GPUs one stage of this strategy spans times the stages: pp * tp * sp * cp * dp. */
    public int worldSize() { return pp * tp * sp * cp * dp; }

    /** Galvatron's {@code sdp_size}: the group over which gradients are reduced and ZeRO shards (dp * sp * cp). */
    public int shardGroup() { return dp * sp * cp; }

    /** Galvatron's {@code tp_sp_size}: the degree of whichever of Megatron-TP and Ulysses is used. */
    public int tensorOrSequenceDegree() { return Math.max(tp, sp); }

    public boolean ulysses() { return sp > 1; }

    public boolean zero3() { return dpType == DpType.ZERO3; }

    /** The vocabulary strategy of the same shape (checkpointing dropped). */
    public HybridStrategy toVocabulary() {
        return checkpoint || placesExperts() ? new HybridStrategy(pp, tp, sp, cp, dp, dpType, false) : this;
    }

    @Override
    public int compareTo(HybridStrategy o) { return ORDER.compare(this, o); }

    /** Galvatron's {@code to_simple_string}: {@code 1-2*-4f-c-sp}; cp is not shown. */
    public String simpleString() {
        int tps = tensorOrSequenceDegree();
        return pp + "-" + (tps != 1 ? tps + "*-" : "1-") + dp + (zero3() ? "f" : "") + (checkpoint ? "-c" : "") + (sp > 1 ? "-sp" : "");
    }

    /** The simple string, with the cp degree and the expert layout where they are not 1 (what the studio shows). */
    public String label() {
        String out = cp == 1 ? simpleString() : simpleString() + "[cp" + cp + "]";
        if (placesExperts()) out += "[ep" + ep + (expertTp > 1 ? " etp" + expertTp : "") + "]";
        return out;
    }

    @Override
    public String toString() { return label(); }
}
