package studio.engine.profile;

import java.util.Locale;

/** Galvatron's {@code --time_profile_mode}. */
public enum TimeProfileMode {
    STATIC, BATCH, SEQUENCE;

    public static TimeProfileMode parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("hybrid")) {
            throw new IllegalArgumentException("--time_profile_mode hybrid is accepted by Galvatron's parser but not implemented "
                    + "(it crashes); use static, batch or sequence");
        }
        try {
            return valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--time_profile_mode: expected static, batch or sequence, got '" + s + "'");
        }
    }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }
}
