package studio.engine.plan;

/**
 * How one layer is parallelised: Galvatron's {@code [pp, tp, dp, info]} with {@code pp * tp * dp = world size}.
 * Galvatron distinguishes an absent info key from a key set to 0 (the transition cost relies on it), so each flag
 * is -1 when absent.
 *
 * @param pp            pipeline degree
 * @param tp            tensor-parallel degree (the Ulysses SP degree when {@code ulysses == 1})
 * @param dp            data-parallel degree
 * @param tpConsecutive 1 = TP groups are consecutive ranks, 0 = strided, -1 = absent (tp or dp is 1)
 * @param fsdp          1 = ZeRO-3 (sharded DP), 0 = the default DP type, -1 = absent (dp is 1)
 * @param ulysses       1 = the tp degree is Ulysses sequence parallelism, 0 = Megatron TP, -1 = absent (tp is 1)
 * @param checkpoint    activation checkpointing of the layer
 */
public record LayerStrategy(int pp, int tp, int dp, int tpConsecutive, int fsdp, int ulysses, boolean checkpoint) {

    public LayerStrategy {
        if (pp < 1 || tp < 1 || dp < 1) throw new IllegalArgumentException("degrees must be >= 1: " + pp + "-" + tp + "-" + dp);
    }

    // equals and hashCode written out, with the same equality as the generated ones: a record's own are bootstrapped
    // through method handles at their first use, which JDK 17's class-data archive does not keep (part of every search's start)
    @Override
    public boolean equals(Object o) {
        return o instanceof LayerStrategy l && pp == l.pp && tp == l.tp && dp == l.dp && tpConsecutive == l.tpConsecutive && fsdp == l.fsdp
                && ulysses == l.ulysses && checkpoint == l.checkpoint;
    }

    @Override
    public int hashCode() {
        return (((((pp * 31 + tp) * 31 + dp) * 31 + tpConsecutive) * 31 + fsdp) * 31 + ulysses) * 31 + Boolean.hashCode(checkpoint);
    }

    /** The strategy with Galvatron's key presence rules: tp flag when tp>1 and dp>1, fsdp when dp>1, sp when tp>1. */
    public static LayerStrategy of(int pp, int tp, int dp, boolean tpConsecutive, boolean zero3, boolean ulysses, boolean checkpoint) {
        return new LayerStrategy(pp, tp, dp,
                tp > 1 && dp > 1 ? (tpConsecutive ? 1 : 0) : -1,
                dp > 1 ? (zero3 ? 1 : 0) : -1,
                tp > 1 ? (ulysses ? 1 : 0) : -1,
                checkpoint);
    }

    /**
     * Typed views of Galvatron's three flags, each -1 (absent: no TP or no DP to apply to), 0 or 1; the raw values
     * stay at the config boundary ({@code GalvatronConfig}, {@link #form()}).
     */
    public boolean isUlysses() { return ulysses == 1; }

    /**
     * The same choices (consecutive TP groups, ZeRO-3, Ulysses, checkpointing) on a stage of {@code stageGpus} GPUs at
     * pipeline degree {@code pp} and TP degree {@code tp}: DP takes what is left, and the flags follow Galvatron's
     * presence rules. What every re-shape of a plan (new TP, new pipeline degree, new cluster) goes through.
     */
    public LayerStrategy onStage(int newPp, int newTp, int stageGpus) {
        return of(newPp, newTp, stageGpus / newTp, tpGroupsConsecutive(), isZero3(), isUlysses(), checkpoint);
    }

    /** TP (not Ulysses) on more than one GPU: the flag present and off. */
    public boolean isMegatronTp() { return ulysses == 0; }

    public boolean isZero3() { return fsdp == 1; }

    /** Data parallelism with the default type (DDP or ZeRO-2): the flag present and off. */
    public boolean isDefaultDp() { return fsdp == 0; }

    /** TP groups on consecutive ranks: the flag present and on. */
    public boolean hasConsecutiveTpFlag() { return tpConsecutive == 1; }

    /** TP groups strided across the stage: the flag present and off. */
    public boolean hasStridedTp() { return tpConsecutive == 0; }

    /** Whether the TP groups count as consecutive: on, or absent (a single TP or DP group is trivially so). */
    public boolean tpGroupsConsecutive() { return tpConsecutive != 0; }

    public int worldSize() { return pp * tp * dp; }

    /** Sharded-DP group: Ulysses layers shard over tp*dp ranks. */
    public int sdpSize() { return isUlysses() ? tp * dp : dp; }

    /** The runtime's {@code tp_consecutive_flags} value: 0 only when the flag is present and 0. */
    public int tpConsecutiveFlag() { return tpConsecutive == 0 ? 0 : 1; }

    public LayerStrategy withCheckpoint(boolean c) { return new LayerStrategy(pp, tp, dp, tpConsecutive, fsdp, ulysses, c); }

    public LayerStrategy withUlysses(int u) { return new LayerStrategy(pp, tp, dp, tpConsecutive, fsdp, u, checkpoint); }

    public LayerStrategy withFsdp(int f) { return new LayerStrategy(pp, tp, dp, tpConsecutive, f, ulysses, checkpoint); }

    public LayerStrategy withTpConsecutive(int c) { return new LayerStrategy(pp, tp, dp, c, fsdp, ulysses, checkpoint); }

    /** Galvatron's canonical form: {@code 1-2*-4}, {@code 1-2-4f*-c-sp}, {@code 2-1-4f}. */
    public String form() {
        StringBuilder sb = new StringBuilder();
        sb.append(pp).append('-').append(tp);
        if (tpConsecutive == 1) sb.append('*');
        sb.append('-').append(dp);
        if (fsdp == 1) sb.append('f');
        if (tpConsecutive == 0) sb.append('*');
        if (checkpoint) sb.append("-c");
        if (ulysses == 1) sb.append("-sp");
        return sb.toString();
    }

    /** Parses {@link #form()} back, rebuilding the flags as Galvatron's {@code strategy_str2list} does. */
    public static LayerStrategy parse(String s) {
        String[] parts = s.trim().split("-");
        if (parts.length < 3) throw new IllegalArgumentException("not a strategy: '" + s + "' (expected pp-tp-dp, e.g. 1-2*-4f-c)");
        try {
            int pp = Integer.parseInt(parts[0]);
            String tpPart = parts[1];
            String dpPart = parts[2];
            boolean tpStar = tpPart.endsWith("*");
            int tp = Integer.parseInt(tpStar ? tpPart.substring(0, tpPart.length() - 1) : tpPart);
            boolean dpStar = dpPart.contains("*");
            boolean f = dpPart.contains("f");
            int dp = Integer.parseInt(dpPart.replace("*", "").replace("f", ""));
            boolean c = false;
            boolean sp = false;
            for (int i = 3; i < parts.length; i++) {
                if (parts[i].equals("c")) c = true;
                else if (parts[i].equals("sp")) sp = true;
                else throw new IllegalArgumentException("not a strategy: '" + s + "' (unknown part '" + parts[i] + "')");
            }
            int consec = tp > 1 && dp > 1 ? (dpStar ? 0 : 1) : -1;
            if (tpStar && dpStar) throw new IllegalArgumentException("not a strategy: '" + s + "' ('*' on both tp and dp)");
            return new LayerStrategy(pp, tp, dp, consec, dp > 1 ? (f ? 1 : 0) : -1, tp > 1 ? (sp ? 1 : 0) : -1, c);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a strategy: '" + s + "' (expected numbers, e.g. 1-2*-4f-c)");
        }
    }

    @Override
    public String toString() { return form(); }
}
