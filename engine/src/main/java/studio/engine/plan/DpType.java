package studio.engine.plan;

/** The runtime's {@code default_dp_type}: what a layer with dp_type 0 uses. */
public enum DpType {
    DDP("ddp", "DDP"), ZERO2("zero2", "ZeRO-2"), ZERO3("zero3", "ZeRO-3");

    private final String configName;
    private final String label;

    DpType(String configName, String label) {
        this.configName = configName;
        this.label = label;
    }

    public String configName() { return configName; }

    /** How the studio shows it: DDP, ZeRO-2, ZeRO-3. */
    public String label() { return label; }

    public static DpType parse(String s) {
        for (DpType t : values()) if (t.configName.equals(s)) return t;
        throw new IllegalArgumentException("default_dp_type: expected ddp, zero2 or zero3, got '" + s + "'");
    }
}
