package studio.engine.schedule;

import studio.engine.cost.LayerTime;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;
import studio.engine.profile.OptimizerStepProfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The order Galvatron's runtime runs one iteration's micro-batches in, stage by stage, with each forward and backward
 * placed in time: GPipe (every forward, then every backward) or 1F1B ({@code pipedream_flush}: a warm-up of
 * {@code p - s - 1} forwards on stage {@code s}, then one forward and one backward in turn, then the remaining
 * backwards). A forward waits for the same micro-batch's forward on the stage before it, a backward for the stage
 * after it; each stage runs one thing at a time. What is left between is the bubble. A stage's receive is posted when
 * it is free and completes one p2p time after both ends are at it: the runtime's p2p ops block until matched
 * ({@code batch_isend_irecv}, then waits), so the receiver pays the transfer even where its input was sent long before.
 */
public final class PipelineSchedule {
    public enum Kind { FORWARD, BACKWARD }

    /** When the runtime reduces a stage's gradients (Galvatron's {@code async_grad_reduce}). */
    public enum GradientReduce {
        /** Gradients accumulate over the micro-batches and are reduced once, with the last backward (the default). */
        ONCE_AN_ITERATION,
        /**
         * {@code --no_async_grad_reduce}: every micro-batch's backward reduces its gradients (less gradient memory,
         * the reduce's exposed time once a micro-batch). Galvatron's formula still counts it once (its memory model
         * alone knows the flag).
         */
        EVERY_MICRO_BATCH;

        public static GradientReduce of(boolean asyncGradReduce) {
            return asyncGradReduce ? ONCE_AN_ITERATION : EVERY_MICRO_BATCH;
        }
    }

    /** One forward or backward of one micro-batch on one stage. */
    public record Slot(int stage, int microBatch, Kind kind, double startMs, double endMs) {
        public double durationMs() { return endMs - startMs; }
    }

    /** What a stretch of a stage's time is spent on. */
    public enum PartKind {
        /** Layers' forward or backward compute (a checkpointed layer's recompute is {@link #RECOMPUTE}). */
        COMPUTE,
        RECOMPUTE,
        /** TP / Ulysses / ring / expert all-to-all communication inside the layers, not hidden behind compute. */
        COMMUNICATION,
        /** ZeRO-3's parameter all-gathers and other data-parallel time inside each micro-batch, not hidden. */
        PARAMETER_GATHER,
        /**
         * The gradient reduce (ZeRO-2 reduce-scatter, DDP all-reduce) not hidden behind the backward: after the stage's
         * last backward, or at the end of every backward under {@link GradientReduce#EVERY_MICRO_BATCH}.
         */
        GRADIENT_SYNC,
        OPTIMIZER
    }

    /** A stretch of one stage's time: a part of a micro-batch's op, or the iteration's tail (micro-batch -1). */
    public record Part(int stage, int microBatch, PartKind kind, double startMs, double endMs) {
        public double durationMs() { return endMs - startMs; }
    }

    /**
     * One stage's work, per micro-batch (forward and backward, each as compute, recompute, exposed communication and
     * parameter gathers; they run in that order inside the op) and once per iteration after its last backward
     * (the exposed gradient reduce, then the optimizer step). Under {@link GradientReduce#EVERY_MICRO_BATCH} the
     * gradient reduce ends every backward instead.
     */
    public record StageWork(double forwardComputeMs, double forwardCommunicationMs, double forwardGatherMs, double backwardComputeMs,
                            double recomputeMs, double backwardCommunicationMs, double backwardGatherMs, double gradientSyncMs, double optimizerMs) {
        public StageWork {
            for (double v : new double[] {forwardComputeMs, forwardCommunicationMs, forwardGatherMs, backwardComputeMs, recomputeMs,
                    backwardCommunicationMs, backwardGatherMs, gradientSyncMs, optimizerMs}) {
                if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("stage work: expected finite ms, at least 0, got " + v);
            }
        }

        public double forwardMs() { return forwardComputeMs + forwardCommunicationMs + forwardGatherMs; }

        public double backwardMs() { return recomputeMs + backwardComputeMs + backwardCommunicationMs + backwardGatherMs; }

        /** This stage's work and {@code o}'s together (a stage is its layers' sum). */
        public StageWork plus(StageWork o) {
            return new StageWork(forwardComputeMs + o.forwardComputeMs, forwardCommunicationMs + o.forwardCommunicationMs,
                    forwardGatherMs + o.forwardGatherMs, backwardComputeMs + o.backwardComputeMs, recomputeMs + o.recomputeMs,
                    backwardCommunicationMs + o.backwardCommunicationMs, backwardGatherMs + o.backwardGatherMs, gradientSyncMs + o.gradientSyncMs,
                    optimizerMs + o.optimizerMs);
        }
    }

    /** The schedule and what it adds up to. */
    public record Timeline(PipelineType type, int stages, int microBatches, List<Slot> slots, double makespanMs, List<Part> parts) {
        public Timeline {
            slots = List.copyOf(slots);
            parts = List.copyOf(parts);
        }

        public Timeline(PipelineType type, int stages, int microBatches, List<Slot> slots, double makespanMs) {
            this(type, stages, microBatches, slots, makespanMs, List.of());
        }

        /** Time stage {@code s} spends on {@code kind}. */
        public double partMs(int s, PartKind kind) {
            return parts.stream().filter(x -> x.stage() == s && x.kind() == kind).mapToDouble(Part::durationMs).sum();
        }

        /** Time stage {@code s} computes. */
        public double busyMs(int s) {
            return slots.stream().filter(x -> x.stage() == s).mapToDouble(Slot::durationMs).sum();
        }

        /**
         * Activations alive on stage {@code s} over the iteration: a micro-batch's from the start of its forward to the
         * end of its backward. Each point is a time (ms) and how many micro-batches are alive from then on.
         */
        public List<double[]> inFlight(int s) {
            List<double[]> events = new ArrayList<>();
            for (Slot x : slots) {
                if (x.stage() != s) continue;
                if (x.kind() == Kind.FORWARD) events.add(new double[] {x.startMs(), +1});
                else events.add(new double[] {x.endMs(), -1});
            }
            // at one instant a backward's release comes before the next forward's allocation (the runtime frees first)
            events.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
            List<double[]> out = new ArrayList<>();
            int alive = 0;
            for (double[] e : events) {
                alive += (int) e[1];
                out.add(new double[] {e[0], alive});
            }
            return out;
        }

        /** The most micro-batches whose activations stage {@code s} holds at once: what its activation peak is made of. */
        public int peakInFlight(int s) {
            int peak = 0;
            for (double[] p : inFlight(s)) peak = Math.max(peak, (int) p[1]);
            return peak;
        }

        /** Stage {@code s}'s memory over time: {@code staticMb} (states, buffers) plus each alive micro-batch's activations. */
        public List<double[]> memoryMb(int s, double staticMb, double activationPerMicroBatchMb) {
            List<double[]> out = new ArrayList<>();
            out.add(new double[] {0, staticMb});
            for (double[] p : inFlight(s)) out.add(new double[] {p[0], staticMb + p[1] * activationPerMicroBatchMb});
            return out;
        }

        /** The share of stage-time spent idle: the bubble. */
        public double bubbleFraction() {
            double busy = 0;
            for (int s = 0; s < stages; s++) busy += busyMs(s);
            return makespanMs <= 0 ? 0 : 1 - busy / (makespanMs * stages);
        }
    }

    private PipelineSchedule() {
    }

    /**
     * @param forwardMs  per stage, one micro-batch's forward
     * @param backwardMs per stage, one micro-batch's backward (with recompute for checkpointed layers)
     * @param p2pMs      per stage boundary {@code s -> s+1}, one activation (or gradient) send
     */
    public static Timeline simulate(PipelineType type, int microBatches, double[] forwardMs, double[] backwardMs, double[] p2pMs) {
        double[][] each = everyMicroBatch(p2pMs);
        return simulate(type, microBatches, forwardMs, backwardMs, each, each);
    }

    /**
     * As {@link #simulate(PipelineType, int, double[], double[], double[])}, with every message's own transfer (what a
     * measured run replays): per boundary {@code s -> s+1} and micro-batch, the activation's ({@code activationP2pMs})
     * and, back, the gradient's; a boundary's row of one entry holds every micro-batch's.
     */
    public static Timeline simulate(PipelineType type, int microBatches, double[] forwardMs, double[] backwardMs, double[][] activationP2pMs,
                                    double[][] gradientP2pMs) {
        int p = forwardMs.length;
        if (p < 1 || microBatches < 1 || backwardMs.length != p || !covers(activationP2pMs, p, microBatches)
                || !covers(gradientP2pMs, p, microBatches)) {
            throw new IllegalArgumentException("a schedule needs at least one stage and micro-batch, one time per stage, and one transfer per "
                    + "boundary (or per boundary and micro-batch)");
        }
        List<Slot> slots = new ArrayList<>();
        double makespan = run(type, microBatches, forwardMs, backwardMs, activationP2pMs, gradientP2pMs, slots);
        return new Timeline(type, p, microBatches, slots, makespan);
    }

    /** Only the makespan of {@link #simulate}, without keeping slots (what a search ranks thousands of candidates by). */
    public static double makespanMs(PipelineType type, int microBatches, double[] forwardMs, double[] backwardMs, double[] p2pMs) {
        double[][] each = everyMicroBatch(p2pMs);
        return run(type, microBatches, forwardMs, backwardMs, each, each, null);
    }

    /** Per boundary, one transfer for every micro-batch. */
    private static double[][] everyMicroBatch(double[] p2pMs) {
        double[][] rows = new double[p2pMs.length][];
        for (int s = 0; s < rows.length; s++) rows[s] = new double[] {p2pMs[s]};
        return rows;
    }

    private static boolean covers(double[][] p2pMs, int p, int microBatches) {
        if (p2pMs.length < p - 1) return false;
        for (int s = 0; s < p - 1; s++) if (p2pMs[s].length != 1 && p2pMs[s].length < microBatches) return false;
        return true;
    }

    /** Boundary {@code s}'s transfer of micro-batch {@code i}. */
    private static double transferMs(double[][] p2pMs, int s, int i) {
        double[] row = p2pMs[s];
        return row.length == 1 ? row[0] : row[i];
    }

    /** Places every op in time (into {@code slots} unless null) and returns the makespan. */
    private static double run(PipelineType type, int microBatches, double[] forwardMs, double[] backwardMs, double[][] activationP2pMs,
                              double[][] gradientP2pMs, List<Slot> slots) {
        int p = forwardMs.length;
        double[][] fEnd = new double[p][microBatches];
        double[][] bEnd = new double[p][microBatches];
        boolean[][] fDone = new boolean[p][microBatches];
        boolean[][] bDone = new boolean[p][microBatches];
        int[] next = new int[p];
        double[] free = new double[p];
        int left = 2 * p * microBatches;
        while (left > 0) {
            boolean progress = false;
            for (int s = 0; s < p; s++) {
                while (next[s] < 2 * microBatches) {
                    int kind = opKind(type, s, p, microBatches, next[s]);
                    int i = opMicroBatch(type, s, p, microBatches, next[s]);
                    // the receive, posted once the stage is free, returns a transfer after its peer's op ended too
                    double start;
                    if (kind == 0) {
                        if (s > 0 && !fDone[s - 1][i]) break;
                        start = s == 0 ? free[s] : Math.max(free[s], fEnd[s - 1][i]) + transferMs(activationP2pMs, s - 1, i);
                    } else {
                        if (!fDone[s][i]) break;
                        if (s < p - 1 && !bDone[s + 1][i]) break;
                        start = s == p - 1 ? Math.max(free[s], fEnd[s][i]) : Math.max(free[s], bEnd[s + 1][i]) + transferMs(gradientP2pMs, s, i);
                    }
                    double end = start + (kind == 0 ? forwardMs[s] : backwardMs[s]);
                    if (kind == 0) {
                        fEnd[s][i] = end;
                        fDone[s][i] = true;
                    } else {
                        bEnd[s][i] = end;
                        bDone[s][i] = true;
                    }
                    free[s] = end;
                    if (slots != null) slots.add(new Slot(s, i, kind == 0 ? Kind.FORWARD : Kind.BACKWARD, start, end));
                    next[s]++;
                    left--;
                    progress = true;
                }
            }
            if (!progress) throw new IllegalStateException("the " + type + " order deadlocked; this is a bug in the schedule");
        }
        double makespan = 0;
        for (double f : free) makespan = Math.max(makespan, f);
        return makespan;
    }

    /**
     * The kind (0 forward, 1 backward) of stage {@code s}'s op {@code k}: GPipe runs every forward, then every
     * backward; 1F1B runs {@code w = min(p - s - 1, m)} warm-up forwards, then a forward and a backward in turn, then
     * the remaining backwards.
     */
    static int opKind(PipelineType type, int s, int p, int m, int k) {
        if (type == PipelineType.GPIPE) return k < m ? 0 : 1;
        int w = Math.min(p - s - 1, m);
        if (k < w) return 0;
        if (k < w + 2 * (m - w)) return (k - w) % 2 == 0 ? 0 : 1;
        return 1;
    }

    /** The micro-batch of stage {@code s}'s op {@code k} (see {@link #opKind}). */
    static int opMicroBatch(PipelineType type, int s, int p, int m, int k) {
        if (type == PipelineType.GPIPE) return k < m ? k : k - m;
        int w = Math.min(p - s - 1, m);
        if (k < w) return k;
        if (k < w + 2 * (m - w)) return (k - w) % 2 == 0 ? w + (k - w) / 2 : (k - w) / 2;
        return k - m;
    }

    /**
     * The schedule of a costed plan: its stages' layer times per micro-batch, its micro-batch count and type, its
     * gradients reduced as {@code reduce} says, and each stage's optimizer step over the parameters its ranks update
     * ({@code optimizer} null: not profiled, no step drawn).
     */
    public static Timeline of(ParallelPlan plan, PlanEstimate estimate, GradientReduce reduce, OptimizerStepProfile optimizer) {
        int p = plan.pp();
        StageWork[] work = new StageWork[p];
        Arrays.fill(work, new StageWork(0, 0, 0, 0, 0, 0, 0, 0, 0));
        double[] p2p = new double[Math.max(1, p - 1)];
        double[] updatedParameterMb = new double[p];
        int[] stageOf = plan.stageOfLayer();
        for (int l = 0; l < estimate.layerTime().size(); l++) {
            LayerTime t = estimate.layerTime().get(l);
            int s = stageOf[l];
            double share = t.forwardMs() + t.backwardMs() <= 0 ? 0.5 : t.forwardMs() / (t.forwardMs() + t.backwardMs());
            // a checkpointed layer's backward holds its recomputed forward (the cost model's backward includes it)
            double recompute = plan.layers().get(l).checkpoint() ? Math.min(t.forwardMs(), t.backwardMs()) : 0;
            // in-layer communication splits as the compute does; what is left of the micro-batch's time without the
            // gradient sync is ZeRO-3's gathers; the sync itself is once an iteration, after the last backward
            double gather = Math.max(0, t.noCommS() * 1000 - t.forwardMs() - t.backwardMs() - t.tpMs() - t.p2pMs());
            double sync = Math.max(0, (t.totalS() - t.noCommS()) * 1000);
            work[s] = work[s].plus(new StageWork(t.forwardMs(), t.tpMs() * share, gather * share, t.backwardMs() - recompute, recompute,
                    t.tpMs() * (1 - share), gather * (1 - share), sync, 0));
            if (l < estimate.layerMemory().size()) updatedParameterMb[s] += estimate.layerMemory().get(l).updatedParameterMb();
            if (s < p - 1 && (l + 1 >= stageOf.length || stageOf[l + 1] != s)) p2p[s] = Math.max(p2p[s], t.p2pMs());
        }
        if (optimizer != null) {
            // the layers' parameters; the embedding and head's sit in Galvatron's lumped "other" memory, not counted
            for (int s = 0; s < p; s++) work[s] = work[s].plus(new StageWork(0, 0, 0, 0, 0, 0, 0, 0, optimizer.stepMs(updatedParameterMb[s])));
        }
        return simulate(plan.pipelineType(), Math.max(1, estimate.realChunks()), work, p2p, reduce);
    }

    /**
     * The schedule of stages' detailed work: the ops placed as {@link #simulate(PipelineType, int, double[], double[], double[])}
     * places their totals, each op split into its parts in order, and after each stage's last backward its exposed
     * gradient reduce and optimizer step (the iteration ends when the last stage's tail does). Under
     * {@link GradientReduce#EVERY_MICRO_BATCH} the reduce ends every backward (which it lengthens) instead of the tail.
     */
    public static Timeline simulate(PipelineType type, int microBatches, StageWork[] work, double[] p2pMs, GradientReduce reduce) {
        double[][] each = everyMicroBatch(p2pMs);
        return simulate(type, microBatches, work, each, each, reduce);
    }

    /**
     * As {@link #simulate(PipelineType, int, StageWork[], double[], GradientReduce)}, with every message's own transfer
     * (see {@link #simulate(PipelineType, int, double[], double[], double[][], double[][])}).
     */
    public static Timeline simulate(PipelineType type, int microBatches, StageWork[] work, double[][] activationP2pMs, double[][] gradientP2pMs,
                                    GradientReduce reduce) {
        int p = work.length;
        boolean everyMicroBatch = reduce == GradientReduce.EVERY_MICRO_BATCH;
        double[] fwd = new double[p];
        double[] bwd = new double[p];
        for (int s = 0; s < p; s++) {
            fwd[s] = work[s].forwardMs();
            bwd[s] = work[s].backwardMs() + (everyMicroBatch ? work[s].gradientSyncMs() : 0);
        }
        Timeline ops = simulate(type, microBatches, fwd, bwd, activationP2pMs, gradientP2pMs);
        List<Part> parts = new ArrayList<>();
        double[] lastEnd = new double[p];
        for (Slot x : ops.slots()) {
            StageWork sw = work[x.stage()];
            double t = x.startMs();
            if (x.kind() == Kind.FORWARD) {
                t = part(parts, x, PartKind.COMPUTE, t, sw.forwardComputeMs());
                t = part(parts, x, PartKind.COMMUNICATION, t, sw.forwardCommunicationMs());
                part(parts, x, PartKind.PARAMETER_GATHER, t, sw.forwardGatherMs());
            } else {
                t = part(parts, x, PartKind.PARAMETER_GATHER, t, sw.backwardGatherMs());
                t = part(parts, x, PartKind.RECOMPUTE, t, sw.recomputeMs());
                t = part(parts, x, PartKind.COMPUTE, t, sw.backwardComputeMs());
                t = part(parts, x, PartKind.COMMUNICATION, t, sw.backwardCommunicationMs());
                if (everyMicroBatch) part(parts, x, PartKind.GRADIENT_SYNC, t, sw.gradientSyncMs());
            }
            lastEnd[x.stage()] = Math.max(lastEnd[x.stage()], x.endMs());
        }
        double makespan = ops.makespanMs();
        for (int s = 0; s < p; s++) {
            double t = lastEnd[s];
            if (!everyMicroBatch && work[s].gradientSyncMs() > 0) parts.add(new Part(s, -1, PartKind.GRADIENT_SYNC, t, t += work[s].gradientSyncMs()));
            if (work[s].optimizerMs() > 0) parts.add(new Part(s, -1, PartKind.OPTIMIZER, t, t += work[s].optimizerMs()));
            makespan = Math.max(makespan, t);
        }
        return new Timeline(type, p, microBatches, ops.slots(), makespan, parts);
    }

    private static double part(List<Part> parts, Slot x, PartKind kind, double start, double ms) {
        if (ms <= 0) return start;
        parts.add(new Part(x.stage(), x.microBatch(), kind, start, start + ms));
        return start + ms;
    }
}
