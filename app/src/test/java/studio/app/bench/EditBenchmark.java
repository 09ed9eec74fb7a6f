package studio.app.bench;

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
import studio.app.charts.ChartData;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.app.project.TestContexts;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The studio's edit loop on an 80-layer model: one grid edit (a layer's checkpoint flag) re-evaluated by the editor,
 * then the charts' datasets updated from the new estimate: what the window redraws from. (The window's own layout
 * pass needs the FX thread; MainWindowTest checks what it shows.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EditBenchmark {
    private PlanEditor editor;
    private ChartData charts;
    private int layer;

    @Setup
    public void open() {
        PlanningContext ctx = TestContexts.withLayers(80);
        ParallelPlan plan = new ParallelPlan(Collections.nCopies(80, LayerStrategy.parse("2-2*-2")), List.of(40, 40), 64, 32, 2, false, false,
                ctx.settings().pipelineType(), ctx.settings().defaultDpType(), null);
        editor = new PlanEditor();
        editor.open(ctx, plan, "80 layers");
        charts = new ChartData();
    }

    @Benchmark
    public ChartData eightyLayerEditThenCharts() {
        int i = layer++ % 80;
        editor.setCheckpoint(List.of(i), (layer / 80) % 2 == 0);
        charts.update(editor.estimate());
        return charts;
    }

    /** Runs the studio's benchmarks (what {@code -Dbench.args="..."} passes through Maven). */
    public static void main(String[] args) throws Exception {
        String joined = String.join(" ", args).trim();
        org.openjdk.jmh.Main.main(joined.isEmpty() ? new String[] {"studio.app.bench"} : joined.split("\\s+"));
    }
}
