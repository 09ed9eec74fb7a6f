package studio.engine.cost;

/** Galvatron's {@code --sp_space}: which sequence-parallel flavours a TP degree may take. */
public enum SpSpace {
    TP("tp"), SP("sp"), TP_SP("tp+sp");

    private final String cliName;

    SpSpace(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    /** Galvatron v2 asserts on a Ulysses-only space: the one place that refuses it, for the CLI and the search alike. */
    public SpSpace requireV2Searchable() {
        if (this == SP) {
            throw new IllegalArgumentException("--sp_space sp: Galvatron asserts that Ulysses-only search is unsupported; use tp or tp+sp");
        }
        return this;
    }

    public static SpSpace parse(String s) {
        for (SpSpace v : values()) if (v.cliName.equals(s)) return v;
        throw new IllegalArgumentException("--sp_space: expected tp, sp or tp+sp, got '" + s + "'");
    }
}
