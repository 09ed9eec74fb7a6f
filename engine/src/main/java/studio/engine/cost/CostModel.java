package studio.engine.cost;

import studio.engine.model.LayerType;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.LayerMemoryProfile;
import studio.engine.profile.ProfileBundle;

import java.util.List;
import java.util.Map;

/**
 * Galvatron v2's memory and time cost models (search-engine spec §4 and §5), quirks included, as the named
 * components Galvatron 3.0 splits its own into: {@link LayerMemoryCost} (§4.1–4.5), {@link VocabularyMemoryCost}
 * (§4.6), {@link GlobalBufferCost} (§4.7), {@link LayerTimeCost} (§5.1, its terms in {@link LayerTimeTerms}),
 * {@link VocabularyTimeCost} (§5.2), {@link TransitionCost} (§5.3) and {@link PipelineCost} (§5.5). Every formula keeps
 * Galvatron's order of floating-point operations so results match to the last digits.
 */
public final class CostModel {
    private final ProfileBundle profiles;
    private final CostModelOptions options;
    private final LayerMemoryCost layerMemory;
    private final VocabularyMemoryCost vocabularyMemory;
    private final GlobalBufferCost globalBuffer;
    private final LayerTimeCost layerTime;
    private final VocabularyTimeCost vocabularyTime;
    private final TransitionCost transition;

    public CostModel(ProfileBundle profiles, CostModelOptions options) {
        this.profiles = profiles;
        this.options = options;
        this.layerMemory = new LayerMemoryCost(options);
        this.vocabularyMemory = new VocabularyMemoryCost(profiles, options, layerMemory);
        this.globalBuffer = new GlobalBufferCost(profiles, options);
        this.layerTime = new LayerTimeCost(options, profiles.hardware());
        this.vocabularyTime = new VocabularyTimeCost(profiles, options, vocabularyMemory);
        this.transition = new TransitionCost(profiles, options);
    }

    public ProfileBundle profiles() { return profiles; }

    public CostModelOptions options() { return options; }

    /** Galvatron's {@code optimal_chunk_func} (§4.1). */
    public static int optimalChunks(int localBatch, int tp, int microBatchSize, int minTp) {
        return MicroBatches.optimalChunks(localBatch, tp, microBatchSize, minTp);
    }

    // ---------------------------------------------------------------- memory (§4)

    /** Memory chunk count {@code C} of a strategy. */
    public int memoryChunks(LayerStrategy s, int globalBatch, int microBatchSize, int minTp) {
        return layerMemory.memoryChunks(s, globalBatch, microBatchSize, minTp);
    }

    public LayerMemory layerMemory(LayerStrategy s, int type, int globalBatch, int microBatchSize, int minTp, int stage) {
        return layerMemory(s, profiles.layerMemory().get(type), globalBatch, microBatchSize, minTp, stage, options.pipelineType());
    }

    public LayerMemory layerMemory(LayerStrategy s, LayerMemoryProfile profile, int globalBatch, int microBatchSize, int minTp,
                                   int stage, PipelineType pipelineType) {
        return layerMemory.of(s, profile, globalBatch, microBatchSize, minTp, stage, pipelineType);
    }

    /** Vocab TP candidates of the memory model: present in all three model-states tables (quirk Q3). */
    public List<Integer> vocabCandidates(int pp, int minTp, int maxTp) {
        return vocabularyMemory.candidates(pp, minTp, maxTp);
    }

    /** Whether the rules make {@code k} a vocab TP candidate for {@code pp} stages, profiled or not. */
    public boolean isVocabCandidate(int k, int pp, int minTp, int maxTp) {
        return vocabularyMemory.degrees(pp, minTp, maxTp).contains(k);
    }

    /** Per-stage MB of the vocabulary layers plus the 1024 MB context, for every vocab TP candidate. */
    public Map<Integer, double[]> otherMemory(LayerStrategy first, int globalBatch, int microBatchSize, int minTp, int maxTp,
                                              boolean vocabularyUlysses, boolean embeddingZero3) {
        return otherMemory(first, globalBatch, microBatchSize, minTp, maxTp, vocabularyUlysses, embeddingZero3, options.pipelineType());
    }

    public Map<Integer, double[]> otherMemory(LayerStrategy first, int globalBatch, int microBatchSize, int minTp, int maxTp,
                                              boolean vocabularyUlysses, boolean embeddingZero3, PipelineType pipelineType) {
        return vocabularyMemory.perStageMb(first, globalBatch, microBatchSize, minTp, maxTp, vocabularyUlysses, embeddingZero3,
                pipelineType);
    }

    /** The buffer under Galvatron's numbering of {@code sp_search} (1, 2, 3): what its unit tests call. */
    public double globalBufferMb(int microBatchSize, int minTp, int maxTp, int spSearchCode) {
        return globalBufferMb(microBatchSize, minTp, maxTp, SpSearch.ofCode(spSearchCode));
    }

    /** Megatron-SP global all-gather buffer in MB (fine-grained mode); none when the layers use Ulysses only. */
    public double globalBufferMb(int microBatchSize, int minTp, int maxTp, SpSearch spSearch) {
        return globalBuffer.fineGrainedMb(microBatchSize, minTp, maxTp, spSearch);
    }

    /** Coarse mode checks only {@code sequence_parallel}. */
    public double globalBufferCoarseMb(int microBatchSize, int minTp, int maxTp) {
        return globalBuffer.coarseMb(microBatchSize, minTp, maxTp);
    }

    // ---------------------------------------------------------------- time (§5)

    public LayerTime layerTime(LayerStrategy s, int type, double microBatch) {
        LayerType layerType = profiles.model().layerTypes().get(type);
        return layerTime(s, layerType, profiles.forwardTimes().get(type), profiles.layerMemory().get(type).parameterSizeMb(), microBatch);
    }

    public LayerTime layerTime(LayerStrategy s, LayerType type, ForwardTime forward, double parameterSizeMb, double microBatch) {
        return layerTime.of(s, type, forward, parameterSizeMb, microBatch);
    }

    public OtherTime otherTime(int microBatchSize, int pp, boolean vocabularyUlysses, boolean embeddingZero3, int minTp, int maxTp) {
        return vocabularyTime.of(microBatchSize, pp, vocabularyUlysses, embeddingZero3, minTp, maxTp);
    }

    /** {@code X[i][j]}: seconds to go from strategy i (previous layer) to j, for a layer of the given type. */
    public double[][] transitionCost(List<LayerStrategy> strategies, int type, int microBatchSize, int minTp) {
        return transition.matrix(strategies, type, microBatchSize, minTp);
    }

    /**
     * Galvatron's pipeline cost model on a plan's layers (§5.5).
     *
     * @param layers    per-layer strategies, all stages concatenated
     * @param division  layers per stage
     * @param chunks    per layer type, {@code ceil(L_p / m_p)} as a double
     * @param otherNoCommS per-stage vocab time without comm ({@code OtherTime.noCommS().get(vtp)})
     */
    public PipelineTerms pipelineCost(List<LayerStrategy> layers, List<Integer> division, double[] chunks, int globalBatch,
                                      int minTp, double[] otherNoCommS) {
        LayerStrategy first = layers.get(0);
        int localBatch = (int) ((double) globalBatch / (first.tp() * first.dp() / minTp));
        int types = chunks.length;
        double[] microBatch = new double[types];
        int realChunks = 0;
        for (int i = 0; i < types; i++) {
            int real = chunks[i] == 1 ? 1 : MicroBatches.pieces(localBatch, (int) chunks[i]);
            microBatch[i] = (double) globalBatch / real;
            realChunks = Math.max(realChunks, real);
        }
        int count = 0;
        for (int layersOfStage : division) count += layersOfStage;
        double[] withSync = new double[count];
        double[] withoutSync = new double[count];
        for (int layer = 0; layer < count; layer++) {
            int type = profiles.model().typeOfLayer(layer);
            LayerTime time = layerTime(layers.get(layer), type, microBatch[type]);
            withSync[layer] = time.totalS();
            withoutSync[layer] = time.noCommS();
        }
        return PipelineCost.terms(withSync, withoutSync, division, otherNoCommS, realChunks);
    }
}
