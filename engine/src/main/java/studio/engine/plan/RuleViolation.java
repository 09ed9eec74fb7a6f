package studio.engine.plan;

/**
 * A broken runtime rule (profiler-runtime spec §4.3 numbering).
 *
 * @param rule    the rule number, 1-22
 * @param layer   the layer it concerns, or -1 for the whole plan
 * @param message what is wrong and what the runtime would do
 */
public record RuleViolation(int rule, int layer, String message) {
    @Override
    public String toString() {
        return "rule " + rule + (layer >= 0 ? " (layer " + layer + ")" : "") + ": " + message;
    }
}
