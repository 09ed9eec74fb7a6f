package studio.engine.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole training plan: per-layer strategies, the pipeline division, batch and micro-batches, and the
 * vocabulary (embedding + LM head) parallelism.
 *
 * @param layers            per-layer strategies in layer order (all share the same pp)
 * @param pipelineDivision  layers per stage
 * @param globalBatch       samples per iteration
 * @param chunks            micro-batches per iteration
 * @param vocabTp           TP (or Ulysses) degree of the vocabulary layers
 * @param vocabUlysses      vocab layers use Ulysses SP instead of TP
 * @param embedSdp          vocab layers use ZeRO-3
 * @param pipelineType      the pipeline schedule
 * @param defaultDpType     what dp_type 0 means
 * @param cpSizes           per-layer context-parallel degree (Galvatron v2's search always writes 1)
 * @param experts           per-layer expert placement of an MoE model (3.0 runtime only; all {@link ExpertPlacement#NONE} otherwise)
 */
public record ParallelPlan(List<LayerStrategy> layers, List<Integer> pipelineDivision, int globalBatch, int chunks,
                           int vocabTp, boolean vocabUlysses, boolean embedSdp, PipelineType pipelineType,
                           DpType defaultDpType, List<Integer> cpSizes, List<ExpertPlacement> experts) {
    public ParallelPlan {
        layers = List.copyOf(layers);
        pipelineDivision = List.copyOf(pipelineDivision);
        cpSizes = cpSizes == null ? List.copyOf(nCopies(layers.size(), 1)) : List.copyOf(cpSizes);
        experts = experts == null ? java.util.Collections.nCopies(layers.size(), ExpertPlacement.NONE) : List.copyOf(experts);
    }

    /** A plan with no experts placed. */
    public ParallelPlan(List<LayerStrategy> layers, List<Integer> pipelineDivision, int globalBatch, int chunks, int vocabTp,
                        boolean vocabUlysses, boolean embedSdp, PipelineType pipelineType, DpType defaultDpType, List<Integer> cpSizes) {
        this(layers, pipelineDivision, globalBatch, chunks, vocabTp, vocabUlysses, embedSdp, pipelineType, defaultDpType, cpSizes, null);
    }

    /** Whether any layer's experts are split (what makes a config carry ep_sizes_enc). */
    public boolean placesExperts() { return experts.stream().anyMatch(ExpertPlacement::placed); }

    private static List<Integer> nCopies(int n, int v) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(v);
        return l;
    }

    public int pp() { return layers.isEmpty() ? 1 : layers.get(0).pp(); }

    public int layerCount() { return layers.size(); }

    /** Refuses a pp_division that does not split {@code total} layers into pp non-empty stages (no cost can be given). */
    public void requireDivisionOf(int total) {
        int sum = pipelineDivision.stream().mapToInt(Integer::intValue).sum();
        if (pipelineDivision.size() != pp() || sum != total || pipelineDivision.stream().anyMatch(x -> x < 1)) {
            throw new PlanException("pp_division", "pp_division " + pipelineDivision + " does not split " + total + " layers into " + pp()
                    + " non-empty stages; the plan cannot be evaluated");
        }
    }

    /** Galvatron's even division: the remainder goes to the last stage. */
    public static List<Integer> evenDivision(int layers, int pp) {
        List<Integer> d = new ArrayList<>();
        int a = layers / pp;
        for (int i = 0; i < pp - 1; i++) d.add(a);
        d.add(layers - a * (pp - 1));
        return d;
    }

    /** Stage index of every layer. */
    public int[] stageOfLayer() {
        int[] s = new int[layers.size()];
        int layer = 0;
        for (int st = 0; st < pipelineDivision.size(); st++) {
            for (int i = 0; i < pipelineDivision.get(st) && layer < s.length; i++) s[layer++] = st;
        }
        while (layer < s.length) s[layer++] = pipelineDivision.size() - 1;
        return s;
    }

    public ParallelPlan withLayers(List<LayerStrategy> newLayers) {
        return new ParallelPlan(newLayers, pipelineDivision, globalBatch, chunks, vocabTp, vocabUlysses, embedSdp,
                pipelineType, defaultDpType, cpSizes, newLayers.size() == layers.size() ? experts : null);
    }

    public ParallelPlan withCpSizes(List<Integer> cps) {
        return new ParallelPlan(layers, pipelineDivision, globalBatch, chunks, vocabTp, vocabUlysses, embedSdp, pipelineType, defaultDpType, cps, experts);
    }

    public ParallelPlan withExperts(List<ExpertPlacement> placements) {
        return new ParallelPlan(layers, pipelineDivision, globalBatch, chunks, vocabTp, vocabUlysses, embedSdp, pipelineType, defaultDpType, cpSizes,
                placements);
    }

    public ParallelPlan withVocabulary(int tp, boolean ulysses, boolean zero3) {
        return new ParallelPlan(layers, pipelineDivision, globalBatch, chunks, tp, ulysses, zero3, pipelineType, defaultDpType, cpSizes, experts);
    }

    public ParallelPlan withBatch(int batch, int microBatches) {
        return new ParallelPlan(layers, pipelineDivision, batch, microBatches, vocabTp, vocabUlysses, embedSdp, pipelineType, defaultDpType, cpSizes,
                experts);
    }

    public ParallelPlan withSchedule(PipelineType type, DpType dpType) {
        return new ParallelPlan(layers, pipelineDivision, globalBatch, chunks, vocabTp, vocabUlysses, embedSdp, type, dpType, cpSizes, experts);
    }

    public ParallelPlan withPipelineDivision(List<Integer> division) {
        return new ParallelPlan(layers, division, globalBatch, chunks, vocabTp, vocabUlysses, embedSdp,
                pipelineType, defaultDpType, cpSizes, experts);
    }
}
