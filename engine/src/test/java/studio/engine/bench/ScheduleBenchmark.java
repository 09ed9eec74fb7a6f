package studio.engine.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.plan.DpType;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;
import studio.engine.profile.OptimizerStepProfile;
import studio.engine.schedule.PipelineSchedule;

import java.util.Collections;
import java.util.concurrent.TimeUnit;

/**
 * The schedule simulator's speed on an 80-layer plan (llama2-70b's shape, 8 stages of 10 layers on 8 x 8 GPUs) with 32
 * micro-batches: the makespan alone (what the studio's search ranks each candidate by) and the whole timeline with
 * every op's parts (what the studio draws after each edit). Operations per second are evaluations per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScheduleBenchmark {
    ParallelPlan plan;
    PlanEstimate estimate;
    double[] forwardMs;
    double[] backwardMs;
    double[] p2pMs;
    OptimizerStepProfile adam = new OptimizerStepProfile(1.5, 0.4, null);

    @Setup
    public void setup() {
        LayerStrategy s = LayerStrategy.of(8, 4, 2, true, false, false, false);
        plan = new ParallelPlan(Collections.nCopies(80, s), Collections.nCopies(8, 10), 256, 32, 4, false, false, PipelineType.PIPEDREAM_FLUSH,
                DpType.ZERO2, Collections.nCopies(80, 1));
        estimate = new PlanEvaluator(LargeCase.costModel()).evaluate(plan);
        PipelineSchedule.Timeline t = PipelineSchedule.of(plan, estimate, PipelineSchedule.GradientReduce.ONCE_AN_ITERATION, adam);
        if (t.microBatches() != 32 || t.stages() != 8) throw new IllegalStateException("expected 8 stages x 32 micro-batches, got " + t);
        forwardMs = new double[8];
        backwardMs = new double[8];
        for (PipelineSchedule.Slot x : t.slots()) {
            if (x.kind() == PipelineSchedule.Kind.FORWARD) forwardMs[x.stage()] = x.durationMs();
            else backwardMs[x.stage()] = x.durationMs();
        }
        p2pMs = new double[] {0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4};
    }

    @Benchmark
    public double makespan80Layers32MicroBatches() {
        return PipelineSchedule.makespanMs(PipelineType.PIPEDREAM_FLUSH, 32, forwardMs, backwardMs, p2pMs);
    }

    @Benchmark
    public PipelineSchedule.Timeline timeline80Layers32MicroBatches() {
        return PipelineSchedule.of(plan, estimate, PipelineSchedule.GradientReduce.ONCE_AN_ITERATION, adam);
    }
}
