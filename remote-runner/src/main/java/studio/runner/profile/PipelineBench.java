package studio.runner.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.cost.v3.PipelineCost;
import studio.engine.io.JsonFiles;
import studio.engine.plan.PipelineType;
import studio.engine.profile.OptimizerStepProfile;
import studio.engine.schedule.PipelineSchedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shipped {@code pipeline_bench.py}: a real pipelined model, one CPU process a stage (torch.distributed,
 * Gloo), under GPipe or 1F1B, with or without recompute; reads back each stage's forward and backward times, the p2p
 * time between stages and the iteration times, and sets them against the studio's schedule simulator and Galvatron's
 * closed form given the same measured stage times (issue 15, item 3).
 */
public final class PipelineBench {
    /**
     * @param layersPerStage blocks on each stage (one process each)
     * @param rows           tokens of one micro-batch
     * @param adam           each iteration ends with the runtime's optimizer step (clipping, Adam, zeroing), timed in it
     */
    public record Request(List<Integer> layersPerStage, int microBatches, PipelineType schedule, boolean recompute, boolean adam, int hidden,
                          int rows, int iters, String python, int masterPort, Path workDir) {
        public Request {
            layersPerStage = List.copyOf(layersPerStage);
            if (layersPerStage.isEmpty() || layersPerStage.stream().anyMatch(x -> x < 1) || microBatches < 1 || hidden < 1 || rows < 1 || iters < 1) {
                throw new IllegalArgumentException("--layers needs at least one block per stage, and micro-batches, hidden, rows and iterations must be positive");
            }
        }
    }

    /**
     * One iteration: its time, each stage's mean forward and backward of a micro-batch in it, its optimizer step (0
     * without), and per boundary and micro-batch the transfer of its activation and of its gradient, as the run met
     * them (from the moment both ends were at the message to its receive's return).
     */
    public record Iteration(double iterationMs, double[] forwardMs, double[] backwardMs, double[] optimizerMs, double[][] activationP2pMs,
                            double[][] gradientP2pMs) {
    }

    /**
     * What one run measured: its iterations, per boundary the p2p time of an activation between two otherwise idle
     * stages (ping-pong before the iterations), and each stage's parameter count (what its optimizer steps).
     */
    public record Measured(PipelineType schedule, int microBatches, boolean recompute, boolean adam, List<Iteration> iterations, double[] p2pMs,
                           long[] parameters) {
        public Measured {
            iterations = List.copyOf(iterations);
            if (iterations.isEmpty()) throw new IllegalArgumentException("a run with no iteration");
        }

        public int stages() { return iterations.get(0).forwardMs().length; }

        /** The median iteration time. */
        public double iterationMs() { return median(iterations.stream().mapToDouble(Iteration::iterationMs).toArray()); }

        /** Per stage, the forward (or backward) over all iterations' means. */
        public double[] meanForwardMs() { return mean(Iteration::forwardMs); }

        public double[] meanBackwardMs() { return mean(Iteration::backwardMs); }

        public double[] meanOptimizerMs() { return mean(Iteration::optimizerMs); }

        /** Boundary {@code s}'s mean transfer of an activation (or, {@code activation} false, a gradient) over all iterations. */
        public double meanTransferMs(int s, boolean activation) {
            double sum = 0;
            int n = 0;
            for (Iteration it : iterations) {
                for (double ms : (activation ? it.activationP2pMs() : it.gradientP2pMs())[s]) {
                    sum += ms;
                    n++;
                }
            }
            return n == 0 ? 0 : sum / n;
        }

        private double[] mean(java.util.function.Function<Iteration, double[]> f) {
            double[] out = new double[stages()];
            for (Iteration it : iterations) for (int s = 0; s < out.length; s++) out[s] += f.apply(it)[s] / iterations.size();
            return out;
        }
    }

    /**
     * Each iteration predicted from its own stage times, by the simulator and by the closed form: the medians of the
     * predictions and of their relative errors (an iteration's stage times and its duration share whatever else the
     * machine was doing then). With the optimizer step timed, {@code predictedOptimizerMs} is each stage's step as the
     * simulator was given it (from the optimizer profile; empty without a step).
     */
    public record Comparison(Measured measured, double simulatedMs, double closedFormMs, double simulatorError, double closedFormError,
                             double[] predictedOptimizerMs) {
    }

    static double median(double[] values) {
        double[] x = values.clone();
        Arrays.sort(x);
        return x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }

    private PipelineBench() {
    }

    public static Measured run(Request r) throws IOException, InterruptedException {
        Files.createDirectories(r.workDir());
        Path script = ShippedScripts.extract("pipeline_bench.py", r.workDir());
        Path out = r.workDir().resolve("pipeline-bench-" + ProcessHandle.current().pid() + "-" + r.masterPort() + ".json");
        Files.deleteIfExists(out);
        int world = r.layersPerStage().size();
        List<String> args = new ArrayList<>(List.of("--layers", String.join(",", r.layersPerStage().stream().map(String::valueOf).toList()),
                "--micro-batches", String.valueOf(r.microBatches()), "--schedule", r.schedule() == PipelineType.GPIPE ? "gpipe" : "1f1b",
                "--hidden", String.valueOf(r.hidden()), "--rows", String.valueOf(r.rows()), "--iters", String.valueOf(r.iters()), "--out",
                out.toString()));
        if (r.recompute()) args.add("--recompute");
        if (r.adam()) args.add("--adam");
        List<Process> procs = TorchRanks.start(r.python(), script, args, 0, world, world, "127.0.0.1", r.masterPort());
        Thread reaper = ChildProcesses.stopOnExit(procs);
        StringBuilder tail = new StringBuilder();
        List<Thread> readers = TorchRanks.drain(procs, tail, -1, line -> false);
        int code = 0;
        try {
            for (Process p : procs) {
                if (!p.waitFor(600, TimeUnit.SECONDS)) {
                    procs.forEach(Process::destroyForcibly);
                    throw new IOException("pipeline_bench.py did not finish within 10 minutes");
                }
                code = Math.max(code, p.exitValue());
            }
        } finally {
            ChildProcesses.done(reaper);
        }
        for (Thread t : readers) t.join(2000);
        if (code != 0 || !Files.isRegularFile(out)) {
            throw new IOException("pipeline_bench.py exited with " + code + ": " + tail.toString().strip());
        }
        Measured m = read(JsonFiles.readObject(out), r.schedule());
        Files.deleteIfExists(out);
        return m;
    }

    static Measured read(ObjectNode j, PipelineType schedule) {
        List<Iteration> iterations = new ArrayList<>();
        for (JsonNode it : j.path("iterations")) {
            double[] forward = doubles(it.path("forward_ms"));
            double[] optimizer = it.has("optimizer_ms") ? doubles(it.path("optimizer_ms")) : new double[forward.length];
            iterations.add(new Iteration(it.path("iteration_ms").asDouble(), forward, doubles(it.path("backward_ms")), optimizer,
                    rows(it.path("p2p_forward_ms")), rows(it.path("p2p_backward_ms"))));
        }
        int p = iterations.isEmpty() ? 1 : iterations.get(0).forwardMs().length;
        double[] p2p = new double[Math.max(1, p - 1)];
        for (int s = 0; s < p - 1; s++) p2p[s] = j.path("p2p_ms").get(s).asDouble();
        long[] parameters = new long[p];
        for (int s = 0; s < p; s++) parameters[s] = j.path("stages").path(s).path("parameters").asLong();
        return new Measured(schedule, j.path("micro_batches").asInt(), j.path("recompute").asBoolean(), j.path("adam").asBoolean(), iterations,
                p2p, parameters);
    }

    private static double[][] rows(JsonNode arrays) {
        double[][] out = new double[arrays.size()][];
        for (int i = 0; i < out.length; i++) out[i] = doubles(arrays.get(i));
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }

    /**
     * The simulator ({@link PipelineSchedule}) and Galvatron's closed form ({@link PipelineCost}: each stage as one
     * layer of its forward plus backward, no gradient sync, no optimizer step) on each iteration's measured stage times;
     * the simulator also on its measured transfers (on a CPU they take far longer than the ping-pong before the run
     * shows, 1-4 ms against 0.1-0.4 ms here: a busy sender's Gloo thread waits for a core, and with more stages than cores
     * so does a woken receiver, at some messages only), each message its own. A run that timed its optimizer step gives the simulator each stage's step as {@code optimizer} predicts it from
     * the stage's parameters (null: as measured).
     */
    public static Comparison compare(Measured m, OptimizerStepProfile optimizer) {
        int n = m.iterations().size();
        int p = m.stages();
        double[] predictedStep = new double[m.adam() ? p : 0];
        double[] measuredStep = m.meanOptimizerMs();
        for (int s = 0; s < predictedStep.length; s++) {
            predictedStep[s] = optimizer == null ? measuredStep[s] : optimizer.stepMs(m.parameters()[s] * 4.0 / (1 << 20));
        }
        double[] simulated = new double[n];
        double[] closed = new double[n];
        double[] simulatedError = new double[n];
        double[] closedError = new double[n];
        for (int k = 0; k < n; k++) {
            Iteration it = m.iterations().get(k);
            PipelineSchedule.StageWork[] work = new PipelineSchedule.StageWork[p];
            for (int s = 0; s < p; s++) {
                work[s] = new PipelineSchedule.StageWork(it.forwardMs()[s], 0, 0, it.backwardMs()[s], 0, 0, 0, 0,
                        m.adam() ? predictedStep[s] : 0);
            }
            simulated[k] = PipelineSchedule.simulate(m.schedule(), m.microBatches(), work, boundaries(it.activationP2pMs()),
                    boundaries(it.gradientP2pMs()), PipelineSchedule.GradientReduce.ONCE_AN_ITERATION).makespanMs();
            closed[k] = closedFormMs(it, m.microBatches());
            simulatedError[k] = simulated[k] / it.iterationMs() - 1;
            closedError[k] = closed[k] / it.iterationMs() - 1;
        }
        return new Comparison(m, median(simulated), median(closed), median(simulatedError), median(closedError), predictedStep);
    }

    /** One stage has no boundary; the simulator still takes one row. */
    private static double[][] boundaries(double[][] ms) {
        return ms.length == 0 ? new double[][] {{0}} : ms;
    }

    private static double closedFormMs(Iteration it, int microBatches) {
        int p = it.forwardMs().length;
        double[] perStageS = new double[p];
        for (int s = 0; s < p; s++) perStageS[s] = (it.forwardMs()[s] + it.backwardMs()[s]) / 1000;
        int[] oneEach = new int[p];
        Arrays.fill(oneEach, 1);
        return PipelineCost.iterationS(perStageS, perStageS, oneEach, new double[p], microBatches) * 1000;
    }
}
