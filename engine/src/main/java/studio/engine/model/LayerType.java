package studio.engine.model;

/** One kind of transformer layer of a model, as the search sees it: width, sequence length and how many. */
public record LayerType(int hiddenSize, int seqLength, int layerCount) {
    public LayerType {
        if (hiddenSize <= 0 || seqLength <= 0 || layerCount <= 0) {
            throw new IllegalArgumentException("layer type needs positive hidden size, sequence length and layer count: "
                    + hiddenSize + ", " + seqLength + ", " + layerCount);
        }
    }

    public LayerType withSeqLength(int seq) { return new LayerType(hiddenSize, seq, layerCount); }

    public LayerType withLayerCount(int n) { return new LayerType(hiddenSize, seqLength, n); }
}
