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
import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;

import java.util.concurrent.TimeUnit;

/** Evaluating a whole 32-layer llama-7b plan (the S1 plan): memory, time, pipeline cost and the runtime rules. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EvaluateBenchmark {
    PlanEvaluator evaluator;
    ParallelPlan plan;

    @Setup
    public void setup() {
        var root = SampleConfigs.root();
        evaluator = new PlanEvaluator(studio.engine.conformance.S1Inputs.costModel());
        plan = GalvatronConfig.read(root.resolve("llama_hf/configs/galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json"),
                8, PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2).plan();
    }

    @Benchmark
    public PlanEstimate evaluate32LayerPlan() {
        return evaluator.evaluate(plan);
    }
}
