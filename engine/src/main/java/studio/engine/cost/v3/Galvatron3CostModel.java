package studio.engine.cost.v3;

/**
 * Galvatron 3.0's cost model as its named components (v3 spec §4 - §5): layer memory, layer time, vocabulary memory
 * and time, the Megatron-SP buffer, transitions; the pipeline formula is {@link PipelineCost}. The studio's ring
 * attention and expert models are built once here and shared by the layer's memory and time.
 */
public final class Galvatron3CostModel {
    private final CostInputs inputs;
    private final LayerMemoryCost layerMemory;
    private final LayerTimeCost layerTime;
    private final VocabularyMemoryCost vocabularyMemory;
    private final VocabularyTimeCost vocabularyTime;
    private final TransitionCost transition;
    private final GlobalBuffer globalBuffer;

    public Galvatron3CostModel(CostInputs inputs) {
        this.inputs = inputs;
        RingAttention ring = new RingAttention(inputs);
        ExpertLayer experts = new ExpertLayer(inputs);
        this.layerMemory = new LayerMemoryCost(inputs, ring, experts);
        this.layerTime = new LayerTimeCost(inputs, ring, experts);
        this.vocabularyMemory = new VocabularyMemoryCost(inputs);
        this.vocabularyTime = new VocabularyTimeCost(inputs);
        this.transition = new TransitionCost(inputs);
        this.globalBuffer = new GlobalBuffer(inputs.settings());
    }

    /** 3.0's model over the profiles the v2 model is given (measured, cluster-measured or estimated), one layer type. */
    public static Galvatron3CostModel of(studio.engine.profile.ProfileBundle profiles, CostSettings settings) {
        return new Galvatron3CostModel(new CostInputs(studio.engine.profile.v3.ModelProfile.of(profiles, settings.sequenceParallel()),
                studio.engine.profile.v3.HardwareTables.of(profiles.hardware()), settings));
    }

    public CostInputs inputs() { return inputs; }

    public CostSettings settings() { return inputs.settings(); }

    public LayerMemoryCost layerMemory() { return layerMemory; }

    public LayerTimeCost layerTime() { return layerTime; }

    public VocabularyMemoryCost vocabularyMemory() { return vocabularyMemory; }

    public VocabularyTimeCost vocabularyTime() { return vocabularyTime; }

    public TransitionCost transition() { return transition; }

    public GlobalBuffer globalBuffer() { return globalBuffer; }
}
