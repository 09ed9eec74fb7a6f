package studio.engine.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * What Galvatron's checkpoint converters take (profiler-runtime spec §6): one copy of the rules for every launch path
 * (the runner's preflight on a node, the studio's Kubernetes manifest, which no runner checks).
 */
public final class CheckpointConversion {
    /** The converters' model types: h2g's; g2h converts llama only. */
    public static final List<String> CONVERTIBLE = List.of("llama", "gpt", "bert-mlm", "mixtral");

    private CheckpointConversion() {
    }

    /**
     * Why a run's conversions cannot go as asked (empty when they can), in the runner's option names.
     *
     * @param exportHf whether the saved checkpoint is converted back to Hugging Face after training
     * @param save     whether the run saves a checkpoint
     */
    public static List<String> problems(String modelType, boolean exportHf, boolean save) {
        List<String> problems = new ArrayList<>();
        if (!CONVERTIBLE.contains(modelType)) {
            problems.add("--model-type: expected one of " + CONVERTIBLE + ", got '" + modelType + "'");
        } else if (exportHf && !modelType.equals("llama")) {
            // Galvatron's g2h converts llama only (gpt is a TODO that does nothing, bert_mlm is never reached)
            problems.add("--export-hf: Galvatron converts " + modelType + " checkpoints back to Hugging Face with nothing (its g2h converts llama only)");
        }
        if (exportHf && !save) problems.add("--export-hf needs --save (the checkpoint it converts)");
        return problems;
    }
}
