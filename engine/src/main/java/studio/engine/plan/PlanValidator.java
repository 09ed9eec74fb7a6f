package studio.engine.plan;

import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;

import java.util.ArrayList;
import java.util.List;

/** Checks a plan against the rules Galvatron's v2 runtime enforces (profiler-runtime spec §0 and §4.3). */
public final class PlanValidator {
    private PlanValidator() {
    }

    public static boolean powerOfTwo(int x) {
        return x > 0 && (x & (x - 1)) == 0;
    }

    /**
     * @param sequenceParallel whether the run uses {@code --sequence-parallel} (Megatron SP)
     */
    public static List<RuleViolation> validate(ParallelPlan plan, ModelDescription model, int worldSize, boolean sequenceParallel) {
        List<RuleViolation> v = new ArrayList<>();
        int l = model.totalLayers();
        int n = plan.layerCount();
        int pp = plan.pp();
        if (n != l) v.add(new RuleViolation(4, -1, "the plan has " + n + " layers but " + model.name() + " has " + l));
        if (pp < 1 || worldSize % pp != 0 || !powerOfTwo(pp)) {
            v.add(new RuleViolation(5, -1, "pp_deg " + pp + " must be a power of two dividing the " + worldSize + " GPUs"));
            return v;
        }
        int s = worldSize / pp;
        for (int i = 0; i < n; i++) {
            if (plan.layers().get(i).pp() != pp) v.add(new RuleViolation(5, i, "layer pp " + plan.layers().get(i).pp() + " differs from pp_deg " + pp));
        }
        List<Integer> div = plan.pipelineDivision();
        if (div.size() != pp) {
            v.add(new RuleViolation(6, -1, "pp_division has " + div.size() + " stages; pp_deg is " + pp));
        }
        int sum = 0;
        for (int st = 0; st < div.size(); st++) {
            if (div.get(st) < 1) v.add(new RuleViolation(6, -1, "stage " + st + " of pp_division has " + div.get(st) + " layers; each stage needs at least 1"));
            sum += div.get(st);
        }
        if (sum != n) v.add(new RuleViolation(6, -1, "pp_division sums to " + sum + " layers; the plan has " + n));
        int heads = model.attentionHeads();
        int seq = model.maxSeqLength();
        if (heads > 0 && model.hiddenSize() % heads != 0) {
            v.add(new RuleViolation(13, -1, "hidden size " + model.hiddenSize() + " is not divisible by " + heads + " heads"));
        }
        int minTp = Integer.MAX_VALUE;
        int minCp = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            LayerStrategy ls = plan.layers().get(i);
            int t = ls.tp();
            int cp = plan.cpSizes().get(i);
            minTp = Math.min(minTp, t);
            minCp = Math.min(minCp, cp);
            if (!powerOfTwo(t) || t > s || s % t != 0) {
                v.add(new RuleViolation(8, i, "tp " + t + " must be a power of two dividing the " + s + " GPUs of a stage ('Wrong tp_size!')"));
            }
            v.addAll(RuntimeRules.layer(ls, s, model, false, i));
            if (!powerOfTwo(cp) || s % (t * cp) != 0) {
                v.add(new RuleViolation(11, i, "cp " + cp + " with tp " + t + " must be powers of two whose product divides " + s));
            }
            if (cp > 1 && model.family() != ModelFamily.LLAMA_HF) {
                v.add(new RuleViolation(11, i, "context parallelism needs the llama_hf model and --use-flash-attn"));
            }
            if (cp > 1 && seq % (2 * cp) != 0) {
                v.add(new RuleViolation(11, i, "sequence length " + seq + " is not divisible by 2*cp = " + 2 * cp));
            }
            if (sequenceParallel && seq % Math.max(t, plan.vocabTp()) != 0) {
                v.add(new RuleViolation(14, i, "with --sequence-parallel the sequence length " + seq + " must be divisible by max(tp, vtp) = "
                        + Math.max(t, plan.vocabTp())));
            }
            int dp = s / Math.max(1, t * cp);
            if (plan.chunks() > 0 && dp > 0 && plan.globalBatch() % ((long) plan.chunks() * dp) != 0) {
                v.add(new RuleViolation(18, i, "global batch " + plan.globalBatch() + " is not divisible by chunks*dp = " + plan.chunks() + "*" + dp
                        + "; relocation between layers may fail"));
            }
        }
        int vtp = plan.vocabTp();
        if (!powerOfTwo(vtp) || vtp > s || s % vtp != 0) {
            v.add(new RuleViolation(16, -1, "vtp " + vtp + " must be a power of two dividing the " + s + " GPUs of a stage"));
        } else {
            v.addAll(RuntimeRules.vocabulary(vtp, model, false));
        }
        if (n > 0) {
            int mt = Math.min(minTp, vtp);
            int mc = Math.min(minCp, 1);
            int unit = s / Math.max(1, mt * mc);
            if (unit > 0 && plan.globalBatch() % unit != 0) {
                v.add(new RuleViolation(17, -1, "global_bsz " + plan.globalBatch() + " must be a multiple of " + unit
                        + " (GPUs per stage / (min tp * min cp))"));
            }
        }
        if (plan.chunks() < 1 && plan.chunks() != -1) {
            v.add(new RuleViolation(18, -1, "chunks is " + plan.chunks() + "; expected >= 1 (or -1 for automatic)"));
        } else if (plan.chunks() >= 1) {
            int local = plan.globalBatch() / Math.max(1, s / Math.max(1, vtp));
            if (plan.chunks() > local) {
                v.add(new RuleViolation(18, -1, "chunks " + plan.chunks() + " exceeds the local batch " + local + " (the runtime runs fewer micro-batches)"));
            } else if (local % plan.chunks() != 0) {
                v.add(new RuleViolation(18, -1, "chunks " + plan.chunks() + " does not divide the local batch " + local + " (skewed micro-batches)"));
            }
        }
        if (plan.globalBatch() < 1) v.add(new RuleViolation(17, -1, "global_bsz must be positive"));
        return v;
    }
}
