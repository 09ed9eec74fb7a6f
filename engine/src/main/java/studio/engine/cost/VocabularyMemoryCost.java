package studio.engine.cost;

import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;
import studio.engine.profile.OtherMemoryProfile;
import studio.engine.profile.ProfileBundle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory of the vocabulary layers (embedding, head and the rest Galvatron calls "other") plus the 1024 MB context, per
 * stage and vocab TP candidate (search-engine spec §4.6). Galvatron 3.0's counterpart is
 * {@code cost.v3.VocabularyMemoryCost}.
 */
final class VocabularyMemoryCost {
    private static final int CONTEXT_MB = 1024;

    private final ProfileBundle profiles;
    private final CostModelOptions options;
    private final LayerMemoryCost layers;

    VocabularyMemoryCost(ProfileBundle profiles, CostModelOptions options, LayerMemoryCost layers) {
        this.profiles = profiles;
        this.options = options;
        this.layers = layers;
    }

    /** Vocab TP candidates of the memory model: present in all three model-states tables (quirk Q3). */
    List<Integer> candidates(int pp, int minTp, int maxTp) {
        List<Integer> degrees = degrees(pp, minTp, maxTp);
        degrees.removeIf(k -> !profiled(k));
        return degrees;
    }

    /** The vocab TP degrees Galvatron's rules allow for {@code pp} stages (powers of two from min tp), profiled or not. */
    List<Integer> degrees(int pp, int minTp, int maxTp) {
        List<Integer> degrees = new ArrayList<>();
        if (options.disableVtp()) {
            degrees.add(1);
        } else {
            for (int k = minTp; k * pp <= options.worldSize() && k <= maxTp; k *= 2) degrees.add(k);
        }
        return degrees;
    }

    /**
     * Whether the memory profile has the embedding/head model states at vocab TP {@code k}. Galvatron looks them up
     * unconditionally and stops with a KeyError when a profile lacks them (Q3); here such a degree is not a candidate.
     */
    boolean profiled(int k) {
        return profiles.otherPpOff().modelStatesMb().containsKey(k) && profiles.otherFirstStage().modelStatesMb().containsKey(k)
                && profiles.otherLastStage().modelStatesMb().containsKey(k);
    }

    /** Per stage, for every candidate, computed from {@code first} (the first strategy of the pipeline degree, as Galvatron does). */
    Map<Integer, double[]> perStageMb(LayerStrategy first, int globalBatch, int microBatchSize, int minTp, int maxTp,
                                      boolean vocabularyUlysses, boolean embeddingZero3, PipelineType pipelineType) {
        int pp = first.pp();
        int tp = first.tp();
        int dp = first.dp();
        int chunks = layers.memoryChunks(first, globalBatch, microBatchSize, minTp);
        Map<Integer, double[]> out = new LinkedHashMap<>();
        OtherMemoryProfile off = profiles.otherPpOff();
        OtherMemoryProfile firstStage = profiles.otherFirstStage();
        OtherMemoryProfile lastStage = profiles.otherLastStage();
        for (int k : candidates(pp, minTp, maxTp)) {
            double[] stages = new double[pp];
            double samples = (double) globalBatch * k / tp / dp / chunks;
            int statesTp;
            double ratio;
            if (vocabularyUlysses) {
                statesTp = 1;
                ratio = embeddingZero3 ? layers.zero3Ratio(tp * dp, chunks) : (options.useZero2() ? layers.zero2Ratio(tp * dp, chunks) : 1.0);
            } else {
                statesTp = k;
                ratio = embeddingZero3 ? layers.zero3Ratio(tp * dp / k, chunks)
                        : (options.useZero2() ? layers.zero2Ratio(tp * dp / k, chunks) : 1.0);
            }
            if (pp == 1) {
                stages[0] += need(off.modelStatesMb(), statesTp, "other_memory_pp_off.model_states") * ratio
                        + need(off.activationMb(), k, "other_memory_pp_off.activation") * samples;
            } else {
                double firstSamples = pipelineType == PipelineType.PIPEDREAM_FLUSH ? samples * pp : samples;
                stages[0] += need(firstStage.modelStatesMb(), statesTp, "other_memory_pp_on_first.model_states") * ratio
                        + need(firstStage.activationMb(), k, "other_memory_pp_on_first.activation") * firstSamples;
                stages[pp - 1] += need(lastStage.modelStatesMb(), statesTp, "other_memory_pp_on_last.model_states") * ratio
                        + need(lastStage.activationMb(), k, "other_memory_pp_on_last.activation") * samples;
            }
            for (int i = 0; i < pp; i++) stages[i] += CONTEXT_MB;
            out.put(k, stages);
        }
        return out;
    }

    /** A vocabulary table's entry, or an error naming the table and the entries it has. */
    static double need(Map<Integer, Double> table, int k, String what) {
        Double v = table.get(k);
        if (v == null) throw new IllegalArgumentException("the memory profile's " + what + " has no entry for vocab TP " + k
                + " (it has " + table.keySet() + ")");
        return v;
    }
}
