package studio.engine.cost;

/**
 * Which sequence parallelism a sub-search lets its layers use (Galvatron's {@code sp_search}): Megatron TP only,
 * Ulysses only, or either per layer. Galvatron writes it as 1, 2 and 3 in its logs.
 */
public enum SpSearch {
    MEGATRON_ONLY(1), ULYSSES_ONLY(2), EITHER(3);

    private final int code;

    SpSearch(int code) {
        this.code = code;
    }

    /** Galvatron's number for it, as its search logs print it. */
    public int code() { return code; }

    /** The kind Galvatron numbers {@code code} (1, 2 or 3). */
    public static SpSearch ofCode(int code) {
        for (SpSearch s : values()) if (s.code == code) return s;
        throw new IllegalArgumentException("sp_search " + code + ": expected 1, 2 or 3");
    }

    /** Whether a layer of this strategy may take part. */
    public boolean allows(studio.engine.plan.LayerStrategy s) {
        return !(this == MEGATRON_ONLY && s.isUlysses()) && !(this == ULYSSES_ONLY && s.isMegatronTp());
    }
}
