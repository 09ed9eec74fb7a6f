package studio.engine.plan.v3;

import studio.engine.model.ModelDescription;
import studio.engine.plan.DpType;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.RuleViolation;
import studio.engine.plan.RuntimeRules;

import java.util.ArrayList;
import java.util.List;

/**
 * What Galvatron 3.0's runtime refuses or silently changes in a config (v3 spec §7.3): the v2 rules it keeps for
 * every Megatron layer (heads, strided groups, ...), its batch divisibility over min tp and min cp, TP and cp
 * degrees that divide a stage, the sequence split of SP, Ulysses and zigzag cp, and the zero3 default that is
 * costed as ZeRO-2 (quirk Q-v3-7).
 */
public final class Runtime3Rules {
    private Runtime3Rules() {
    }

    public static List<RuleViolation> validate(ParallelPlan plan, ModelDescription model, int worldSize, boolean sequenceParallel) {
        List<RuleViolation> v = new ArrayList<>();
        int n = plan.layerCount();
        int pp = plan.pp();
        if (pp < 1 || worldSize % pp != 0) {
            v.add(new RuleViolation(8, -1, "pp " + pp + " does not divide the " + worldSize + " GPUs"));
            return v;
        }
        int stage = worldSize / pp;
        int sum = 0;
        for (int st = 0; st < plan.pipelineDivision().size(); st++) {
            int k = plan.pipelineDivision().get(st);
            if (k < 1) v.add(new RuleViolation(6, -1, "stage " + st + " of pp_division has " + k + " layers; each stage needs at least 1"));
            sum += k;
        }
        if (sum != n) v.add(new RuleViolation(6, -1, "pp_division sums to " + sum + " layers; the plan has " + n + " (check_hp_config asserts)"));
        int seq = model.maxSeqLength();
        int minTp = plan.vocabTp();
        int minCp = 1;
        for (int i = 0; i < n; i++) {
            LayerStrategy l = plan.layers().get(i);
            int t = l.tp();
            int cp = plan.cpSizes().get(i);
            minTp = Math.min(minTp, t);
            minCp = Math.min(minCp, cp);
            if (Integer.bitCount(t) != 1 || t > stage || stage % t != 0) {
                v.add(new RuleViolation(8, i, "tp " + t + " must divide the " + stage + " GPUs of a stage (check_hp_config asserts)"));
            }
            if (Integer.bitCount(cp) != 1 || stage % (t * cp) != 0) {
                v.add(new RuleViolation(11, i, "cp " + cp + " with tp " + t + " must be powers of two whose product divides " + stage));
            }
            v.addAll(RuntimeRules.layer(l, stage, model, false, i));
            if ((l.isUlysses() || sequenceParallel) && t > 1 && seq % t != 0) {
                v.add(new RuleViolation(14, i, "sequence length " + seq + " is not divisible by " + (l.isUlysses() ? "the Ulysses degree " : "tp ") + t));
            }
            if (cp > 1 && seq % (2 * cp) != 0) {
                v.add(new RuleViolation(11, i, "sequence length " + seq + " is not divisible by 2*cp = " + 2 * cp + " (zigzag context parallelism)"));
            }
        }
        int groups = stage / Math.max(1, minTp) / Math.max(1, minCp);
        if (groups > 0 && plan.globalBatch() % groups != 0) {
            v.add(new RuleViolation(7, -1, "global batch " + plan.globalBatch() + " is not divisible by world / pp / min tp / min cp = " + groups
                    + " (the 3.0 runtime asserts it)"));
        }
        if (plan.defaultDpType() == DpType.ZERO3 && plan.layers().stream().anyMatch(l -> l.dp() > 1 && !l.isZero3())) {
            v.add(new RuleViolation(19, -1, "default_dp_type zero3: the 3.0 runtime runs every dp_types_enc 0 layer as ZeRO-3, while Galvatron 3.0's "
                    + "search costs them as ZeRO-2 (quirk Q-v3-7); the numbers shown are the search's"));
        }
        return v;
    }

    /**
     * The MoE layer's rules ({@code moe_modules.py}: {@code num_moe_experts % ep == 0}; the expert TP splits each
     * expert's width): a plan that places experts on a model without them, or whose ep does not divide the experts.
     *
     * @param experts   routed experts per layer, 0 for a dense model
     * @param expertFfn one expert's width
     */
    public static List<RuleViolation> experts(ParallelPlan plan, int experts, int expertFfn) {
        List<RuleViolation> v = new ArrayList<>();
        for (int i = 0; i < plan.layerCount(); i++) {
            var e = plan.experts().get(i);
            if (!e.placed()) continue;
            if (experts == 0) {
                v.add(new RuleViolation(23, i, "ep " + e.ep() + " x tp_of_ep " + e.expertTp() + " on a dense model: there are no experts to place"));
            } else if (experts % e.ep() != 0) {
                v.add(new RuleViolation(23, i, "ep " + e.ep() + " does not divide the " + experts + " experts (moe_modules.py asserts num_moe_experts % ep == 0)"));
            } else if (expertFfn % e.expertTp() != 0) {
                v.add(new RuleViolation(23, i, "tp_of_ep " + e.expertTp() + " does not divide the expert width " + expertFfn));
            }
        }
        return v;
    }
}
