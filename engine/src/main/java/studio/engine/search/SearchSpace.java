package studio.engine.search;

/** Galvatron's {@code --search_space} presets. */
public enum SearchSpace {
    FULL("full"), DP_TP("dp+tp"), DP_PP("dp+pp"), THREE_D("3d"), DP("dp"), SDP("sdp"), TP("tp"), PP("pp");

    private final String cliName;

    SearchSpace(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    public static SearchSpace parse(String s) {
        for (SearchSpace v : values()) if (v.cliName.equals(s)) return v;
        throw new IllegalArgumentException("--search_space: expected full, dp+tp, dp+pp, 3d, dp, sdp, tp or pp, got '" + s + "'");
    }
}
