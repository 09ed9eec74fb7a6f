package studio.engine.plan;

/**
 * A broken runtime rule (profiler-runtime spec §4.3 numbering).
 *
 * @param rule    the rule number, 1-22 (23: the MoE layout rules of the 3.0 runtime, {@code Runtime3Rules.experts})
 * @param layer   the layer it concerns, or -1 for the whole plan
 * @param message what is wrong and what the runtime would do
 */
public record RuleViolation(int rule, int layer, String message) {
    /**
     * One line per distinct problem: the same rule and message on several layers become one line naming the
     * layers as ranges ({@code layers 0-15, 20}).
     */
    public static java.util.List<String> summarize(java.util.List<RuleViolation> violations) {
        java.util.Map<String, java.util.List<Integer>> byMessage = new java.util.LinkedHashMap<>();
        for (RuleViolation v : violations) {
            byMessage.computeIfAbsent(v.rule() + "\u0000" + v.message(), k -> new java.util.ArrayList<>()).add(v.layer());
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var e : byMessage.entrySet()) {
            String[] rm = e.getKey().split("\u0000", 2);
            java.util.List<Integer> layers = e.getValue().stream().filter(l -> l >= 0).sorted().toList();
            String where = layers.isEmpty() ? "" : " (" + (layers.size() == 1 ? "layer " : "layers ") + ranges(layers) + ")";
            out.add("rule " + rm[0] + where + ": " + rm[1]);
        }
        return out;
    }

    private static String ranges(java.util.List<Integer> sorted) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
            if (sb.length() > 0) sb.append(", ");
            sb.append(sorted.get(i));
            if (j > i) sb.append('-').append(sorted.get(j));
            i = j + 1;
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "rule " + rule + (layer >= 0 ? " (layer " + layer + ")" : "") + ": " + message;
    }
}
