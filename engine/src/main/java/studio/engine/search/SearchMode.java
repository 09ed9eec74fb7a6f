package studio.engine.search;

/** How to search: exactly as Galvatron v2 does, or better under the same cost model. */
public enum SearchMode {
    /** Galvatron v2's search, quirks and tie-breaks included: the same plan and throughput. */
    GALVATRON_V2("galvatron-v2"),
    /** Only plans Galvatron's runtime can build; pipeline division balanced by the pipeline cost. */
    STUDIO("studio");

    private final String cliName;

    SearchMode(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    public static SearchMode parse(String s) {
        for (SearchMode m : values()) if (m.cliName.equals(s)) return m;
        throw new IllegalArgumentException("--mode: expected galvatron-v2 or studio, got '" + s + "'");
    }
}
