package studio.engine.plan;

/** Galvatron's pipeline schedules. */
public enum PipelineType {
    GPIPE("gpipe"), PIPEDREAM_FLUSH("pipedream_flush");

    private final String configName;

    PipelineType(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    public static PipelineType parse(String s) {
        for (PipelineType t : values()) if (t.configName.equals(s)) return t;
        throw new IllegalArgumentException("pipeline_type: expected gpipe or pipedream_flush, got '" + s + "'");
    }
}
