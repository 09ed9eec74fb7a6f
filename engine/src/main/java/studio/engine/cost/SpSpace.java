package studio.engine.cost;

/** Galvatron's {@code --sp_space}: which sequence-parallel flavours a TP degree may take. */
public enum SpSpace {
    TP("tp"), SP("sp"), TP_SP("tp+sp");

    private final String cliName;

    SpSpace(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    /**
     * Whether layer and vocabulary times come from the measured collective tables (all-gather / all-to-all), as
     * Galvatron does for {@code tp+sp}. A Ulysses-only space ({@code sp}, which Galvatron v2 refuses though its
     * runtime runs Ulysses and Galvatron 3.0 searches {@code sp_only}) is costed the same way.
     */
    public boolean usesCollectiveTables() { return this != TP; }

    public static SpSpace parse(String s) {
        for (SpSpace v : values()) if (v.cliName.equals(s)) return v;
        throw new IllegalArgumentException("--sp_space: expected tp, sp or tp+sp, got '" + s + "'");
    }
}
