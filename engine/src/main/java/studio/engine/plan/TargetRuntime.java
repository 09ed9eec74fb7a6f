package studio.engine.plan;

/**
 * Which Galvatron a plan is costed for and exported to: v2 (shell arguments, its cost model and runtime) or 3.0
 * (Hydra YAML, strategy objects, its cost model, and a runtime that reads cp_sizes_enc and vocab_sdp).
 */
public enum TargetRuntime {
    GALVATRON_V2("galvatron-v2", "Galvatron v2"), GALVATRON_V3("galvatron-v3", "Galvatron 3.0");

    private final String configName;
    private final String label;

    TargetRuntime(String configName, String label) {
        this.configName = configName;
        this.label = label;
    }

    public String configName() { return configName; }

    public String label() { return label; }

    public static TargetRuntime parse(String s) {
        for (TargetRuntime t : values()) if (t.configName.equals(s)) return t;
        throw new IllegalArgumentException("target: expected galvatron-v2 or galvatron-v3, got '" + s + "'");
    }

    @Override
    public String toString() { return label; }
}
