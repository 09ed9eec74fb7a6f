package studio.engine.cost;

import studio.engine.io.InputFileException;
import studio.engine.plan.DpType;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PlanException;
import studio.engine.plan.PipelineType;
import studio.engine.plan.PlanValidator;
import studio.engine.plan.RuleViolation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Evaluates a whole plan: per-stage memory and time, iteration time and throughput, broken runtime rules. */
public final class PlanEvaluator implements PlanCoster {
    private final CostModel base;

    public PlanEvaluator(CostModel costModel) {
        this.base = costModel;
    }

    public CostModel costModel() { return base; }

    @Override
    public PlanEstimate evaluate(ParallelPlan plan) {
        return evaluate(plan, 0, 0, List.of());
    }

    /**
     * @param minTpOverride  Galvatron's task min-tp τ, or 0 for min(layer tp, vtp)
     * @param maxTpOverride  Galvatron's task max-tp T, or 0 for max(layer tp, vtp)
     * @param fileViolations rules already found broken while reading the plan's file
     */
    public PlanEstimate evaluate(ParallelPlan plan, int minTpOverride, int maxTpOverride, List<RuleViolation> fileViolations) {
        CostModelOptions opts = base.options();
        if (plan.pipelineType() != opts.pipelineType() || plan.defaultDpType() != opts.defaultDpType()) {
            opts = opts.withPipelineType(plan.pipelineType()).withDefaultDpType(plan.defaultDpType());
        }
        CostModel cm = opts == base.options() ? base : new CostModel(base.profiles(), opts);
        int n = opts.worldSize();
        List<RuleViolation> violations = new ArrayList<>(fileViolations);
        violations.addAll(PlanValidator.validate(plan, cm.profiles().model(), n, opts.sequenceParallel()));
        int total = cm.profiles().model().totalLayers();
        if (plan.layerCount() != total) {
            throw new PlanException("tp_sizes_enc", "the plan has " + plan.layerCount() + " layers but the model "
                    + cm.profiles().model().name() + " has " + total + "; check --model_size or --num_hidden_layers");
        }
        plan.requireDivisionOf(total);
        List<LayerStrategy> layers = layersForCost(plan);
        int p = plan.pp();
        int minTp = Integer.MAX_VALUE;
        int maxTp = 0;
        boolean megatron = false;
        boolean ulysses = false;
        for (LayerStrategy s : layers) {
            minTp = Math.min(minTp, s.tp());
            maxTp = Math.max(maxTp, s.tp());
            if (s.tp() > 1 && !s.isUlysses()) megatron = true;
            if (s.isUlysses()) ulysses = true;
        }
        if (plan.vocabTp() < 1) {
            throw new PlanException("vtp", "vtp " + plan.vocabTp() + ": expected a vocabulary TP degree of at least 1, dividing the GPUs of a stage");
        }
        minTp = Math.min(minTp, plan.vocabTp());
        maxTp = Math.max(maxTp, plan.vocabTp());
        if (minTpOverride > 0) minTp = minTpOverride;
        if (maxTpOverride > 0) maxTp = maxTpOverride;
        for (LayerStrategy s : layers) {
            if (s.tp() % minTp != 0) {
                throw new PlanException("--min_tp", "min tp " + minTp + " does not divide layer tp " + s.tp());
            }
        }
        int groups = n / p / minTp;
        int lp = plan.globalBatch() / groups;
        int c = plan.chunks();
        if (c < 1) throw new PlanException("chunks", "chunks is " + c + "; expected at least 1 micro-batch (the cost model needs a positive number)");
        if (lp < 1) {
            throw new PlanException("global_bsz", "global batch " + plan.globalBatch() + " is smaller than the " + groups
                    + " min-tp groups of a stage; nothing to split into micro-batches");
        }
        int mbsz = (lp + c - 1) / c;
        int types = cm.profiles().model().layerTypes().size();
        double[] chunks = new double[types];
        for (int i = 0; i < types; i++) chunks[i] = Math.ceil((double) lp / mbsz);
        SpSearch spSearch = plan.vocabUlysses() && !megatron ? SpSearch.ULYSSES_ONLY
                : (ulysses || plan.vocabUlysses() ? SpSearch.EITHER : SpSearch.MEGATRON_ONLY);

        int[] stageOf = plan.stageOfLayer();
        List<LayerMemory> mem = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            int stage = opts.pipelineType() == PipelineType.PIPEDREAM_FLUSH ? stageOf[l] : 0;
            mem.add(cm.layerMemory(layers.get(l), cm.profiles().model().typeOfLayer(l), plan.globalBatch(), mbsz, minTp, stage));
        }
        Map<Integer, double[]> other = cm.otherMemory(layers.get(0), plan.globalBatch(), mbsz, minTp, maxTp,
                plan.vocabUlysses(), plan.embedSdp());
        double[] otherMb = other.get(plan.vocabTp());
        if (otherMb == null && cm.isVocabCandidate(plan.vocabTp(), p, minTp, maxTp) && cm.profiles().memoryProfileFile() != null) {
            // a degree the rules allow, missing from the profile: the profile is what lacks it
            throw new InputFileException(cm.profiles().memoryProfileFile(), "other_memory_*.model_states." + plan.vocabTp(),
                    "missing: the plan's vtp " + plan.vocabTp() + " needs the embedding/head memory measured at vocabulary TP "
                            + plan.vocabTp() + " (this profile has it for " + other.keySet() + ")");
        }
        if (otherMb == null) {
            throw new PlanException("vtp", "vtp " + plan.vocabTp() + " is not a vocab TP candidate here (candidates "
                    + other.keySet() + " for min tp " + minTp + ", max tp " + maxTp
                    + "); the memory profile must have other_memory model_states for it");
        }
        int buffer = (int) cm.globalBufferMb(mbsz, minTp, maxTp, spSearch);
        OtherTime ot = cm.otherTime(mbsz, p, plan.vocabUlysses(), plan.embedSdp(), minTp, maxTp);
        double[] otherNoComm = ot.noCommS().get(plan.vocabTp());
        if (otherNoComm == null) {
            throw new PlanException("vtp", "vtp " + plan.vocabTp() + " has no embedding/head model states in the memory profile");
        }
        PipelineTerms terms = cm.pipelineCost(layers, plan.pipelineDivision(), chunks, plan.globalBatch(), minTp, otherNoComm);
        double iteration = terms.iterationS();

        List<LayerTime> times = new ArrayList<>();
        double gb = (double) plan.globalBatch() / terms.realChunks();
        for (int l = 0; l < layers.size(); l++) {
            times.add(cm.layerTime(layers.get(l), cm.profiles().model().typeOfLayer(l), gb));
        }
        StageBreakdown.Stages stages = StageBreakdown.of(mem, times, stageOf, p, otherMb, buffer, opts.cacheReserveMb(), opts.totalMemoryMb(),
                otherNoComm, terms);
        if (!Double.isFinite(iteration) || !(iteration > 0)) {
            throw new PlanException("time", "the iteration time came out as " + iteration + " s: a time, bandwidth or overlap value in the "
                    + "profiles is zero or out of range");
        }
        return new PlanEstimate(stages.memory(), stages.time(), mem, times, minTp, maxTp, mbsz, terms.realChunks(), iteration,
                plan.globalBatch() / iteration, violations);
    }

    /** A ZeRO-3 default DP type shards every DP layer; Galvatron's cost model expresses that as fsdp = 1. */
    private static List<LayerStrategy> layersForCost(ParallelPlan plan) {
        if (plan.defaultDpType() != DpType.ZERO3) return plan.layers();
        return plan.layers().stream().map(s -> s.isDefaultDp() ? s.withFsdp(1) : s).toList();
    }
}
