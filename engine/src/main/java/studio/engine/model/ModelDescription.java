package studio.engine.model;

import java.util.List;

/**
 * What the planner knows of a model: its layer types (in layer order) and the global sizes that the cost model
 * and the runtime rules use.
 *
 * @param name          the model's name ({@code llama-7b}, or a config's folder name)
 * @param family        the Galvatron model family
 * @param layerTypes    layer types in layer order (T5: encoder then decoder; Swin: one per stage)
 * @param hiddenSize    the global hidden size ({@code args.hidden_size} in Galvatron)
 * @param attentionHeads attention heads (0 when unknown)
 * @param keyValueHeads  key/value heads (equal to attentionHeads without GQA; 0 when unknown)
 * @param ffnHiddenSize  MLP width (0 when unknown)
 * @param vocabSize      vocabulary rows (0 when unknown)
 */
public record ModelDescription(String name, ModelFamily family, List<LayerType> layerTypes, int hiddenSize,
                               int attentionHeads, int keyValueHeads, int ffnHiddenSize, int vocabSize) {
    public ModelDescription {
        layerTypes = List.copyOf(layerTypes);
        if (layerTypes.isEmpty()) throw new IllegalArgumentException("a model needs at least one layer type");
    }

    /**
     * The vocabulary rows the runtime allocates: GPT models pad the vocabulary to a multiple of 128 (Megatron's
     * {@code make_vocab_size_divisible_by}); 0 when the vocabulary is not known.
     */
    public int vocabRows() {
        if (vocabSize <= 0) return 0;
        return family == ModelFamily.GPT_HF ? ((vocabSize + 127) / 128) * 128 : vocabSize;
    }

    // loops, not streams: the search asks these for every sub-search of a sweep
    public int totalLayers() {
        int layers = 0;
        for (LayerType type : layerTypes) layers += type.layerCount();
        return layers;
    }

    public int maxSeqLength() {
        int longest = Integer.MIN_VALUE;
        for (LayerType type : layerTypes) longest = Math.max(longest, type.seqLength());
        return longest;
    }

    /** Type index of global layer {@code layer}. */
    public int typeOfLayer(int layer) {
        int acc = 0;
        for (int i = 0; i < layerTypes.size(); i++) {
            acc += layerTypes.get(i).layerCount();
            if (layer < acc) return i;
        }
        throw new IndexOutOfBoundsException("layer " + layer + " of " + totalLayers());
    }

    /** The name Galvatron's profiler and search put in profile file names. */
    public String profileName() {
        return family.namedBySize() ? name : "hidden" + hiddenSize + "_head" + attentionHeads;
    }

    public ModelDescription withLayerTypes(List<LayerType> types) {
        return new ModelDescription(name, family, types, hiddenSize, attentionHeads, keyValueHeads, ffnHiddenSize, vocabSize);
    }

    /** Galvatron's {@code --set_seqlen_manually 1 --seq_length S}: every layer type gets sequence length S. */
    public ModelDescription withSeqLength(int seq) {
        return withLayerTypes(layerTypes.stream().map(t -> t.withSeqLength(seq)).toList());
    }

    /** Galvatron's {@code --set_layernum_manually 1 --num_hidden_layers N} for single-type models. */
    public ModelDescription withLayerCount(int layers) {
        if (layerTypes.size() != 1) {
            throw new IllegalArgumentException("--num_hidden_layers applies to single-layer-type models; " + name
                    + " has " + layerTypes.size() + " layer types");
        }
        return withLayerTypes(List.of(layerTypes.get(0).withLayerCount(layers)));
    }
}
