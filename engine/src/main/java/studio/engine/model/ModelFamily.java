package studio.engine.model;

import java.util.Locale;

/** Galvatron's model directories; they decide how profile files are named and how a meta config is read. */
public enum ModelFamily {
    LLAMA_HF("llama_hf", true), GPT_HF("gpt_hf", false), BERT_HF("bert_hf", false), VIT_HF("vit_hf", false),
    T5("T5", true), SWIN("swin", true);

    private final String directory;
    private final boolean namedBySize;

    ModelFamily(String directory, boolean namedBySize) {
        this.directory = directory;
        this.namedBySize = namedBySize;
    }

    /** The folder name Galvatron uses under {@code galvatron/models}. */
    public String directory() { return directory; }

    /** llama/T5/swin name their profile files by model size; gpt/bert/vit by {@code hidden{H}_head{A}}. */
    public boolean namedBySize() { return namedBySize; }

    /**
     * Galvatron's checkpoint converters' {@code --model_type} (profiler-runtime spec §6): llama, gpt or bert-mlm by
     * family, mixtral for an MoE model (3.0's h2g); llama for the families the converters do not name.
     */
    public static String checkpointModelType(ModelFamily family, boolean moe) {
        if (moe) return "mixtral";
        return switch (family) {
            case GPT_HF -> "gpt";
            case BERT_HF -> "bert-mlm";
            default -> "llama";
        };
    }

    public static ModelFamily fromDirectory(String name) {
        for (ModelFamily f : values()) {
            if (f.directory.equalsIgnoreCase(name) || f.name().equalsIgnoreCase(name)) return f;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("llama") || n.startsWith("qwen") || n.startsWith("mistral")) return LLAMA_HF;
        if (n.startsWith("gpt")) return GPT_HF;
        if (n.startsWith("bert")) return BERT_HF;
        if (n.startsWith("vit")) return VIT_HF;
        if (n.startsWith("t5")) return T5;
        if (n.startsWith("swin")) return SWIN;
        throw new IllegalArgumentException("unknown model family '" + name + "'");
    }
}
