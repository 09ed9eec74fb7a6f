package studio.engine.plan;

/** The runtime's {@code default_dp_type}: what a layer with dp_type 0 uses. */
public enum DpType {
    DDP("ddp"), ZERO2("zero2"), ZERO3("zero3");

    private final String configName;

    DpType(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    public static DpType parse(String s) {
        for (DpType t : values()) if (t.configName.equals(s)) return t;
        throw new IllegalArgumentException("default_dp_type: expected ddp, zero2 or zero3, got '" + s + "'");
    }
}
