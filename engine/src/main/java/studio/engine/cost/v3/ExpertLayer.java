package studio.engine.cost.v3;

import studio.engine.cost.GradientOverlap;
import studio.engine.cost.ZeroRedundancy;
import studio.engine.io.InputFileException;
import studio.engine.plan.DpType;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.profile.v3.LatencyTable;

/**
 * The studio's model of the routed experts of an MoE layer (docs/EXPERT_PARALLEL.md), added to the layer's dense part
 * (attention, norms, router), which the layer profile holds. Galvatron 3.0's search does not cost experts (its MoE
 * cost code is commented out); its runtime runs them as {@code moe_modules.py} and {@code token_dispatcher.py} build
 * them:
 * <ul>
 * <li>each GPU holds {@code E / ep} experts, each split {@code expertTp} ways, and shards their model states over the
 *     expert-data-parallel group {@code edp = stage / (ep * expertTp)} with the layer's data-parallel type;</li>
 * <li>a GPU's {@code T} tokens (a micro-batch's sequence share: {@code lbsz * S / (tp or sp) / cp}) are routed to
 *     {@code k} experts; the all-to-all dispatches the {@code T k} assignments over the ep group, the expert-TP group
 *     all-gathers them, the experts run, then a reduce-scatter and an all-to-all combine them: four all-to-alls per
 *     layer and iteration (dispatch and combine, forward and backward), six with a recompute;</li>
 * <li>with ep &gt; 1 the busiest GPU receives {@code loadImbalance} times the mean (the router is not exact), and
 *     the step waits for it;</li>
 * <li>expert gradients reduce over edp behind the expert backward, as a layer's reduce hides behind its backward.</li>
 * </ul>
 */
public final class ExpertLayer {
    private static final double MB = 1024.0 * 1024.0;
    private final CostInputs in;

    public ExpertLayer(CostInputs in) { this.in = in; }

    /**
     * What the expert model needs of the model and the cluster.
     *
     * @param experts                routed experts per layer ({@code num_moe_experts})
     * @param topK                   experts per token ({@code moe_router_topk})
     * @param expertFfn              one expert's width ({@code moe_ffn_hidden_size})
     * @param gated                  three matrices an expert (SwiGLU) rather than two
     * @param parametersPerExpert    one expert's parameters ({@code ParameterCount.expert()})
     * @param loadImbalance          the busiest expert-parallel rank's tokens over the mean, at least 1
     * @param forwardMsPerAssignment one token through one expert, forward, on one GPU, ms ({@code 2 h f} FLOPs a matrix)
     * @param activationScale        bytes kept per counted byte, the calibration of the dense layer's activations
     * @param plainDpType            what {@code dp_types_enc 0} runs as: DDP, or ZeRO-2 under a zero2 / zero3 default
     * @param gpusPerNode            where an ep group starts to cross nodes
     */
    public record Shape(int experts, int topK, int expertFfn, boolean gated, long parametersPerExpert, double loadImbalance,
                        double forwardMsPerAssignment, double activationScale, DpType plainDpType, int gpusPerNode) {
        public Shape {
            if (experts < 1 || topK < 1 || topK > experts || expertFfn < 1 || parametersPerExpert < 1 || gpusPerNode < 1) {
                throw new IllegalArgumentException("experts " + experts + ", top-k " + topK + ", expert width " + expertFfn
                        + ": expected 1 <= top-k <= experts and a positive width");
            }
            if (!(loadImbalance >= 1) || !(forwardMsPerAssignment > 0) || !(activationScale > 0)) {
                throw new IllegalArgumentException("load imbalance " + loadImbalance + " (expected at least 1), expert time "
                        + forwardMsPerAssignment + " ms, activation scale " + activationScale + ": expected positive figures");
            }
        }
    }

    /** The expert part of one layer on one GPU; {@code updatedParameterMb}: what its optimizer step updates. */
    public record Memory(double parameterMb, double modelStatesMb, double activationPerSampleMb, double updatedParameterMb) {
    }

    /** The expert part of one layer for one micro-batch, ms. */
    public record Time(double forwardMs, double backwardMs, double allToAllMs, double expertTpMs, double gradientMb,
                       double reduceMsPerMb, boolean zero3) {
        /** Forward, backward with its gradient reduce ({@code sync}) hidden behind it, the collectives, ZeRO-3's gather. */
        public double totalMs(boolean sync, double overlap) {
            double out = forwardMs + allToAllMs + expertTpMs;
            if (gradientMb <= 0) return out + backwardMs;
            GradientOverlap.Split split = GradientOverlap.of(sync ? gradientMb : 0, backwardMs, reduceMsPerMb, reduceMsPerMb * overlap, overlap);
            out += split.overlappedMs() + split.restMs();
            if (zero3) out += gradientMb * 0.5 * reduceMsPerMb;
            return out;
        }
    }

    private Shape shape() { return in.settings().experts(); }

    public boolean active() { return shape() != null; }

    /** The type the experts' states are sharded with over edp: the layer's ZeRO-3, else what dp_types_enc 0 runs as. */
    DpType expertDpType(HybridStrategy s) {
        if (s.expertDataParallel() == 1) return DpType.DDP;
        return s.zero3() ? DpType.ZERO3 : shape().plainDpType();
    }

    /** Tokens of one sample on one GPU: the sequence over cp and over whichever of Ulysses and Megatron-SP splits it. */
    double tokensPerSample(HybridStrategy s) {
        CostSettings cs = in.settings();
        int split = s.cp();
        if (s.sp() > 1) split *= s.sp();
        else if (s.tp() > 1 && cs.sequenceParallel()) split *= s.tp();
        return (double) cs.seqLength() / split;
    }

    private double imbalance(HybridStrategy s) { return s.ep() > 1 ? shape().loadImbalance() : 1.0; }

    /** fp32-equivalent MB of the expert parameters one GPU holds: E / ep experts, each split expertTp ways. */
    double parameterMb(HybridStrategy s) {
        Shape x = shape();
        return (double) x.experts() / s.ep() * x.parametersPerExpert() / s.expertTp() * 4 / MB;
    }

    public Memory memory(HybridStrategy s, int chunks) {
        Shape x = shape();
        CostSettings cs = in.settings();
        double parameterMb = parameterMb(s);
        double states = 4 * parameterMb;
        int edp = s.expertDataParallel();
        DpType type = expertDpType(s);
        if (type == DpType.ZERO3) states *= ZeroRedundancy.zero3Ratio(edp, chunks, cs.mixed(), cs.asyncGradReduce());
        else if (type == DpType.ZERO2) states *= ZeroRedundancy.zero2Ratio(edp, chunks, cs.mixed(), cs.asyncGradReduce());
        double activation = 0;
        if (!s.checkpoint()) {
            double h = cs.hiddenSize();
            double assignments = tokensPerSample(s) * x.topK();
            // expert side (gathered over expert TP): fc1 input 2h, then 8f (gated) or 4f bytes over the etp shards;
            // token side: the combined expert output the unpermute keeps, 2h
            double expertSide = imbalance(s) * assignments * (2 * h * s.expertTp() + (x.gated() ? 8.0 : 4.0) * x.expertFfn());
            activation = (expertSide + assignments * 2 * h) * x.activationScale() / MB;
            if (!cs.mixed()) activation *= 2;
        }
        return new Memory(parameterMb, states, activation, ZeroRedundancy.updatedParameterMb(parameterMb, type != DpType.DDP, edp));
    }

    public Time time(HybridStrategy s, int localBatch) {
        Shape x = shape();
        CostSettings cs = in.settings();
        double assignments = localBatch * tokensPerSample(s) * x.topK();
        double forward = assignments * imbalance(s) * x.forwardMsPerAssignment();
        double backward = 2 * forward + (s.checkpoint() ? forward : 0);
        int passes = s.checkpoint() ? 3 : 2; // forward, backward and a recompute's forward each dispatch and combine
        double messageMb = assignments * cs.hiddenSize() * cs.activationBytes() / MB;
        double allToAll = s.ep() > 1 ? 2 * passes * epTable(s).msFor(messageMb) : 0;
        double expertTp = s.expertTp() > 1 ? 2 * passes * in.allGather(s.expertTp()).msFor(messageMb * imbalance(s) * s.expertTp()) : 0;
        int edp = s.expertDataParallel();
        double gradientMb = edp == 1 ? 0 : 2.0 * (edp - 1) * (parameterMb(s) / edp);
        if (cs.mixed()) gradientMb /= 2;
        double reduce = edp == 1 ? 0 : in.allreduceMsPerMb(edp, s.expertTp());
        return new Time(forward, backward, allToAll, expertTp, gradientMb, reduce, expertDpType(s) == DpType.ZERO3);
    }

    /**
     * The all-to-all table for the ep group. The runtime orders a stage's ranks ep-edp-etp, so ep members are
     * {@code stage / ep} apart; inside a node that is the measured (consecutive) group of ep. A group spread over
     * {@code K} nodes sends the same share of each buffer off its node as a consecutive group of {@code K} whole nodes,
     * so it takes that group's table.
     */
    LatencyTable epTable(HybridStrategy s) {
        int group = epTableSize(s);
        LatencyTable t = in.hardware().allToAll().get(group);
        if (t == null) {
            throw new InputFileException(in.hardware().collectiveFile(), "all2all_size_" + group + "_{size}MB_time",
                    "missing; expert parallelism " + s.ep() + (group != s.ep() ? " across nodes" : "") + " needs the all-to-all times of " + group
                            + " GPUs (profile the hardware)");
        }
        return t;
    }

    /** The group size whose all-to-all table costs the ep group of {@code s} (see {@link #epTable}). */
    public int epTableSize(HybridStrategy s) {
        int gpn = shape().gpusPerNode();
        int stage = s.stageGpus();
        int stride = stage / s.ep();
        boolean crosses = (long) (s.ep() - 1) * stride + 1 > gpn;
        return crosses ? Math.min(s.ep(), stage / gpn) * gpn : s.ep();
    }
}
