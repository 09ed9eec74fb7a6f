package studio.engine.cli;

/** A command-line option with a value it cannot take: exits with {@link StudioCli#USAGE_ERROR} and one line. */
final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }

    /** Refuses {@code value} of {@code option} unless {@code ok}, saying what was expected. */
    static void check(boolean ok, String option, Object value, String expected) {
        if (!ok) throw new UsageException(option + " " + value + ": expected " + expected);
    }

    static void flag(int value, String option) {
        check(value == 0 || value == 1, option, value, "0 or 1");
    }
}
