package studio.engine.model;

import java.util.Locale;

/** Galvatron's {@code mixed_precision}: the training precision, which also names the profile files. */
public enum Precision {
    FP32("fp32"), FP16("fp16"), BF16("bf16");

    private final String configName;

    Precision(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    /** fp16 and bf16 train in mixed precision (half-size activations, messages and gradients). */
    public boolean mixed() { return this != FP32; }

    /** Whether {@code s} is one of the names exactly as Galvatron writes them (they go into file names). */
    public static boolean isConfigName(String s) {
        for (Precision p : values()) if (p.configName.equals(s)) return true;
        return false;
    }

    public static Precision parse(String s) {
        String v = s == null ? "" : s.toLowerCase(Locale.ROOT);
        for (Precision p : values()) if (p.configName.equals(v)) return p;
        throw new IllegalArgumentException("mixed_precision: expected fp32, fp16 or bf16, got '" + s + "'");
    }
}
