package studio.engine.plan.v3;

import studio.engine.plan.DpType;

import java.util.Comparator;

/**
 * Galvatron 3.0's strategy object (v3 spec §3.1): pipeline, Megatron-TP, Ulysses, context-parallel and data-parallel
 * degrees, the data-parallel type and activation checkpointing. A vocabulary (embedding / LM-head) strategy is the
 * same record with {@code checkpoint} false. Megatron-TP and Ulysses never combine; a group of one is always DDP.
 */
public record HybridStrategy(int pp, int tp, int sp, int cp, int dp, DpType dpType, boolean checkpoint)
        implements Comparable<HybridStrategy> {
    /** Galvatron's total order: lexicographic on (pp, tp, sp, cp, dp, dp type, checkpoint). */
    private static final Comparator<HybridStrategy> ORDER = Comparator.comparingInt(HybridStrategy::pp)
            .thenComparingInt(HybridStrategy::tp).thenComparingInt(HybridStrategy::sp)
            .thenComparingInt(HybridStrategy::cp).thenComparingInt(HybridStrategy::dp)
            .thenComparing(HybridStrategy::dpType).thenComparing(HybridStrategy::checkpoint);

    public HybridStrategy {
        if (pp < 1 || tp < 1 || sp < 1 || cp < 1 || dp < 1) {
            throw new IllegalArgumentException("degrees must be at least 1: pp " + pp + ", tp " + tp + ", sp " + sp + ", cp " + cp + ", dp " + dp);
        }
        if (tp > 1 && sp > 1) throw new IllegalArgumentException("Megatron-TP " + tp + " and Ulysses " + sp + " cannot combine in one layer");
        if (dp * sp * cp == 1) dpType = DpType.DDP;
    }

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
        return checkpoint ? new HybridStrategy(pp, tp, sp, cp, dp, dpType, false) : this;
    }

    @Override
    public int compareTo(HybridStrategy o) { return ORDER.compare(this, o); }

    /** Galvatron's {@code to_simple_string}: {@code 1-2*-4f-c-sp}; cp is not shown. */
    public String simpleString() {
        int tps = tensorOrSequenceDegree();
        return pp + "-" + (tps != 1 ? tps + "*-" : "1-") + dp + (zero3() ? "f" : "") + (checkpoint ? "-c" : "") + (sp > 1 ? "-sp" : "");
    }

    /** The simple string, with the cp degree when it is not 1 (what the studio shows). */
    public String label() {
        return cp == 1 ? simpleString() : simpleString() + "[cp" + cp + "]";
    }

    @Override
    public String toString() { return label(); }
}
