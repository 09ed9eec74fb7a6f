package studio.engine.plan;

/**
 * A plan that cannot be costed as given (it does not match the model, its division or its micro-batches make no
 * sense): names the config key at fault, so the CLI and the studio can say which file and key to fix.
 */
public final class PlanException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public PlanException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The galvatron_config key (or the option) the message is about. */
    public String key() { return key; }
}
