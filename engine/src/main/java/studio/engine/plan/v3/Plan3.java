package studio.engine.plan.v3;

import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;

import java.util.List;

/**
 * A Galvatron 3.0 plan: per-layer strategies over the pipeline division, the batch split, the schedule, the runtime's
 * default data-parallel type and the vocabulary (embedding / LM-head) strategy.
 */
public record Plan3(List<HybridStrategy> layers, List<Integer> pipelineDivision, int globalBatch, int chunks,
                    PipelineType pipelineType, DpType defaultDpType, HybridStrategy vocabulary) {
    public Plan3 {
        layers = List.copyOf(layers);
        pipelineDivision = List.copyOf(pipelineDivision);
        if (layers.isEmpty()) throw new IllegalArgumentException("a plan has at least one layer");
        if (pipelineDivision.stream().mapToInt(Integer::intValue).sum() != layers.size()) {
            throw new IllegalArgumentException("pp_division " + pipelineDivision + " does not sum to the " + layers.size() + " layers");
        }
    }

    public int pp() { return layers.get(0).pp(); }

    public int worldSize() { return layers.get(0).worldSize(); }
}
