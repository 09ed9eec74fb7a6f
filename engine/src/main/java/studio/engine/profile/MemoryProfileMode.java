package studio.engine.profile;

import java.util.Locale;

/** Galvatron's {@code --memory_profile_mode}; batch and hybrid are accepted by Galvatron but never implemented. */
public enum MemoryProfileMode {
    STATIC, SEQUENCE;

    public static MemoryProfileMode parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("batch") || v.equals("hybrid")) {
            throw new IllegalArgumentException("--memory_profile_mode " + v + " is accepted by Galvatron's parser but not "
                    + "implemented (it crashes); use static or sequence");
        }
        try {
            return valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--memory_profile_mode: expected static or sequence, got '" + s + "'");
        }
    }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }
}
