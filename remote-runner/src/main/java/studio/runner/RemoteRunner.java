package studio.runner;

import studio.engine.protocol.RunnerEvent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import studio.engine.io.InputFileException;
import studio.runner.env.NodeEnvironment;
import studio.runner.events.Event;
import studio.runner.profile.HardwareProfiler;
import studio.runner.profile.LayerPartsProfiler;
import studio.runner.profile.ModelProfiler;
import studio.runner.train.RunDirectory;
import studio.runner.train.Runs;
import studio.runner.train.TrainOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The headless jar the studio copies to GPU nodes. Every command writes JSON lines, one event a line.
 */
@Command(name = "remote-runner", mixinStandardHelpOptions = true, versionProvider = RemoteRunner.Version.class,
        description = "Galvatron Studio's agent on GPU nodes: node environment, training through Galvatron's runtime, run control.",
        subcommands = {RemoteRunner.Env.class, RemoteRunner.Train.class, RemoteRunner.Status.class, RemoteRunner.Follow.class,
                RemoteRunner.Stop.class, RemoteRunner.ListRuns.class, RemoteRunner.ProfileHardware.class,
                RemoteRunner.ProfileModel.class, RemoteRunner.PipelineBenchCommand.class})
public final class RemoteRunner implements Runnable {
    static PrintWriter out = new PrintWriter(System.out, true);

    @Override
    public void run() {
        emit(Event.of(RunnerEvent.READY).put("version", version()));
    }

    static synchronized void emit(Event e) {
        out.println(e.line());
        out.flush();
    }

    public static String version() {
        try (InputStream in = RemoteRunner.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Where this runner's jar is (the djl engine starts it again from there). */
    static String ownJar() {
        try {
            Path p = Path.of(RemoteRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // from classes (tests, the IDE) the dependencies are on the class path, not inside a jar
            return java.nio.file.Files.isDirectory(p) ? System.getProperty("java.class.path") : p.toString();
        } catch (Exception e) {
            return System.getProperty("java.class.path");
        }
    }

    /** Options every run command shares. */
    static final class RootOption {
        @Option(names = "--runs-dir", paramLabel = "DIR", description = "Where runs live (default ~/.galvatron-studio/runs).")
        Path runsDir;

        Runs runs() {
            return new Runs(runsDir != null ? runsDir : RunDirectory.defaultRoot());
        }
    }

    @Command(name = "env", mixinStandardHelpOptions = true, description = "Host, GPUs, CUDA, Python, torch, Galvatron and disk.")
    static final class Env implements Callable<Integer> {
        @Option(names = "--python", defaultValue = "python3") String python;
        @Mixin RootOption root;

        @Override
        public Integer call() {
            Path dir = root.runsDir != null ? root.runsDir : RunDirectory.defaultRoot();
            for (Event e : NodeEnvironment.probe(python, dir)) emit(e);
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Start a training run on this node (Galvatron under torchrun, or the djl smoke trainer), detached.")
    static final class Train implements Callable<Integer> {
        @Mixin TrainOptions options;
        @Mixin RootOption root;
        @Option(names = "--follow", description = "Stream the run's events until it ends.") boolean follow;
        @Option(names = "--in-job", description = "Inside a batch job's step (Slurm): stream the events until the run ends, stop the run "
                + "when the step is cancelled, and exit with the run's exit code.") boolean inJob;
        @Option(names = "--dry-run", description = "Check and print the command, start nothing.") boolean dryRun;

        @Override
        public Integer call() throws Exception {
            List<String> problems = Runs.preflight(options);
            if (!problems.isEmpty()) {
                var arr = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
                problems.forEach(arr::add);
                emit(Event.of(RunnerEvent.REFUSED).put("reason", "the run would fail; nothing was started").set("problems", arr));
                return 2;
            }
            if (dryRun) {
                emit(Event.of(RunnerEvent.DRY_RUN).put("command", Runs.dryRunCommand(options, ownJar())));
                return 0;
            }
            Runs runs = root.runs();
            RunDirectory run = runs.start(options, ownJar(), RemoteRunner::emit);
            if (inJob) {
                // scancel or the time limit signals the step: the run goes with it, not left holding the node's GPUs
                Thread stopper = new Thread(() -> {
                    try {
                        if (run.exitCode() == null) runs.stop(run, 5000);
                    } catch (Exception e) {
                        // the JVM is going down; the job's own signals reach what is left
                    }
                }, "stop-run-with-step");
                Runtime.getRuntime().addShutdownHook(stopper);
                runs.events(run, 0, true, RemoteRunner::emit);
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException goingDown) {
                    // the step is being cancelled: the hook stops the run
                }
                Integer code = run.exitCode();
                return code == null ? 1 : code;
            }
            if (follow) runs.events(run, 0, true, RemoteRunner::emit);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A run's state and its events so far.")
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "RUN") String id;
        @Mixin RootOption root;

        @Override
        public Integer call() throws Exception {
            Runs runs = root.runs();
            RunDirectory run = runs.find(id);
            Event last = null;
            final Event[] lastIteration = new Event[1];
            runs.events(run, 0, false, e -> {
                if (e.name().equals("iteration")) lastIteration[0] = e;
            });
            last = Event.of(RunnerEvent.STATUS).put("run", id).put("state", run.state());
            Integer code = run.exitCode();
            if (code != null) last.put("exit_code", code);
            if (lastIteration[0] != null) last.set("last_iteration", lastIteration[0].json());
            emit(last);
            return 0;
        }
    }

    @Command(name = "follow", mixinStandardHelpOptions = true, description = "Stream a run's events from a sequence number on.")
    static final class Follow implements Callable<Integer> {
        @Parameters(paramLabel = "RUN") String id;
        @Option(names = "--from", defaultValue = "0", description = "Last event already seen.") long from;
        @Mixin RootOption root;

        @Override
        public Integer call() throws Exception {
            Runs runs = root.runs();
            runs.events(runs.find(id), from, true, RemoteRunner::emit);
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a run (TERM, then KILL).")
    static final class Stop implements Callable<Integer> {
        @Parameters(paramLabel = "RUN") String id;
        @Option(names = "--grace-seconds", defaultValue = "10") int grace;
        @Mixin RootOption root;

        @Override
        public Integer call() throws Exception {
            Runs runs = root.runs();
            RunDirectory run = runs.find(id);
            runs.stop(run, grace * 1000L);
            emit(Event.of(RunnerEvent.STOPPED).put("run", id).put("state", run.state()));
            return 0;
        }
    }

    @Command(name = "profile-hardware", mixinStandardHelpOptions = true,
            description = "Measure all-reduce, p2p, overlap and SP times; write Galvatron's hardware files.")
    static final class ProfileHardware implements Callable<Integer> {
        @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the hardware files go.") Path output;
        @Option(names = "--nnodes", defaultValue = "1") int nnodes;
        @Option(names = "--nproc-per-node", required = true, description = "GPUs (or CPU processes) per node.") int nprocPerNode;
        @Option(names = "--node-rank", defaultValue = "0") int nodeRank;
        @Option(names = "--master-addr", defaultValue = "127.0.0.1") String masterAddr;
        @Option(names = "--master-port", defaultValue = "29511") int masterPort;
        @Option(names = "--python", defaultValue = "python3") String python;
        @Option(names = "--size-mb", defaultValue = "64", description = "Message size of the bandwidth tests (MB).") double sizeMb;
        @Option(names = "--sp-sizes-mb", defaultValue = "1,2,4,8,16,32,64,128,256,512,1024") String spSizesMb;
        @Option(names = "--iters", defaultValue = "10") int iters;
        @Option(names = "--fresh", description = "Start over instead of resuming an interrupted profile.") boolean fresh;

        @Override
        public Integer call() throws Exception {
            return HardwareProfiler.run(new HardwareProfiler.Request(nnodes, nprocPerNode, nodeRank, masterAddr, masterPort, python, sizeMb,
                    spSizesMb, iters, !fresh, output), RemoteRunner::emit);
        }
    }

    @Command(name = "profile-model", mixinStandardHelpOptions = true,
            description = "Measure a decoder layer's forward time and memory with DJL; write Galvatron's model profiles.")
    static final class ProfileModel implements Callable<Integer> {
        @Option(names = "--model-config", required = true, paramLabel = "FILE",
                description = "Hugging Face config.json (llama, qwen2, mistral, gpt2) or a Galvatron meta config.") Path modelConfig;
        @Option(names = "--model-name", description = "Name in the files (default: the config's file name).") String modelName;
        @Option(names = "--output", required = true, paramLabel = "DIR") Path output;
        @Option(names = "--profile-mode", defaultValue = "static", description = "static, batch or sequence.") String mode;
        @Option(names = "--profile-batch-size", defaultValue = "8") int batchSize;
        @Option(names = "--profile-min-batch-size", defaultValue = "1") int minBatch;
        @Option(names = "--profile-max-batch-size", defaultValue = "8") int maxBatch;
        @Option(names = "--profile-batch-size-step", defaultValue = "1") int batchStep;
        @Option(names = "--profile-seq-length-list", split = ",", defaultValue = "512") List<Integer> seqList;
        @Option(names = "--profile-min-seq-length", defaultValue = "512") int minSeq;
        @Option(names = "--profile-max-seq-length", defaultValue = "4096") int maxSeq;
        @Option(names = "--profile-seq-length-step", defaultValue = "512") int seqStep;
        @Option(names = "--max-tp", defaultValue = "8", description = "Largest tensor-parallel degree of the memory table.") int maxTp;
        @Option(names = "--mixed-precision", defaultValue = "bf16", description = "fp32, fp16 or bf16.") String precision;
        @Option(names = "--layernum-min", defaultValue = "1", description = "Layer counts whose difference gives a layer's time.") int layernumMin;
        @Option(names = "--layernum-max", defaultValue = "2") int layernumMax;
        @Option(names = "--warmup", defaultValue = "10", description = "Untimed forwards first (Galvatron: 10).") int warmup;
        @Option(names = "--iters", defaultValue = "10", description = "Timed forwards; the median counts (Galvatron: 10).") int iters;
        @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu.") String device;
        @Option(names = "--engine", defaultValue = "auto",
                description = "djl, torch (the node's Python), or auto: DJL unless the node has GPUs DJL's libtorch cannot use.") String engine;
        @Option(names = "--python", defaultValue = "python3", description = "The Python with torch for --engine torch.") String python;
        @Option(names = "--fresh", description = "Start over instead of resuming an interrupted profile.") boolean fresh;
        @Option(names = "--layer-parts", description = "Instead of Galvatron's layer profile, what it does not measure (with the node's torch, "
                + "--python): an MoE layer's dense part and one expert's compute per token, and ring-attention steps of --cp-degrees, at "
                + "--profile-batch-size and the first of --profile-seq-length-list; --model-config may then be a 3.0 model YAML.") boolean layerParts;
        @Option(names = "--cp-degrees", split = ",", defaultValue = "2,4,8", description = "With --layer-parts: the ring steps to measure.")
        List<Integer> cpDegrees;

        @Override
        public Integer call() throws Exception {
            if (layerParts) {
                return LayerPartsProfiler.run(new LayerPartsProfiler.Request(modelConfig, modelName, output, batchSize, seqList.get(0), cpDegrees,
                        precision, warmup, iters, device, python), RemoteRunner::emit);
            }
            ModelProfiler.Request r = new ModelProfiler.Request(modelConfig, modelName, output, ModelProfiler.Mode.parse(mode), batchSize,
                    minBatch, maxBatch, batchStep, seqList, minSeq, maxSeq, seqStep, maxTp, precision, layernumMin, layernumMax, warmup, iters,
                    device, engine, python, !fresh);
            return ModelProfiler.run(r, RemoteRunner::emit);
        }
    }

    @Command(name = "pipeline-bench", mixinStandardHelpOptions = true,
            description = "Run a real pipelined model on CPU processes (torch.distributed, Gloo), one a stage, and set its measured iteration "
                    + "against the studio's schedule simulator and Galvatron's closed form on the same stage times.")
    static final class PipelineBenchCommand implements Callable<Integer> {
        @Option(names = "--layers", required = true, split = ",", paramLabel = "N,N,...", description = "Blocks per stage (one process each).")
        List<Integer> layers;
        @Option(names = "--schedule", defaultValue = "pipedream_flush", description = "gpipe or pipedream_flush (1F1B).") String schedule;
        @Option(names = "--micro-batches", defaultValue = "8") int microBatches;
        @Option(names = "--recompute", description = "Checkpoint every stage (its forward runs again in the backward).") boolean recompute;
        @Option(names = "--adam", description = "End each iteration with the runtime's optimizer step (clipping, Adam, zeroing), timed in it.")
        boolean adam;
        @Option(names = "--optimizer-profile", paramLabel = "FILE", description = "The optimizer_step_time.json of profile-hardware: the "
                + "simulator predicts each stage's step from it (default: the step as measured).") Path optimizerProfile;
        @Option(names = "--hidden", defaultValue = "384") int hidden;
        @Option(names = "--rows", defaultValue = "64", description = "Tokens of one micro-batch.") int rows;
        @Option(names = "--iters", defaultValue = "3") int iters;
        @Option(names = "--python", defaultValue = "python3") String python;
        @Option(names = "--master-port", defaultValue = "29531") int masterPort;
        @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the program is unpacked (default: a temporary folder).") Path workDir;

        @Override
        public Integer call() throws Exception {
            Path dir = workDir != null ? workDir : java.nio.file.Files.createTempDirectory("pipeline-bench-");
            var m = studio.runner.profile.PipelineBench.run(new studio.runner.profile.PipelineBench.Request(layers, microBatches,
                    studio.engine.plan.PipelineType.parse(schedule), recompute, adam, hidden, rows, iters, python, masterPort, dir));
            var c = studio.runner.profile.PipelineBench.compare(m, optimizerProfile == null ? null
                    : studio.engine.profile.OptimizerStepProfile.read(optimizerProfile));
            Event e = Event.of(RunnerEvent.PIPELINE_BENCH).put("schedule", schedule).put("micro_batches", microBatches).put("recompute", recompute)
                    .put("measured_ms", m.iterationMs()).put("simulated_ms", c.simulatedMs())
                    .put("closed_form_ms", c.closedFormMs()).put("simulator_error", c.simulatorError()).put("closed_form_error", c.closedFormError());
            double[] forward = m.meanForwardMs();
            double[] backward = m.meanBackwardMs();
            double[] optimizer = m.meanOptimizerMs();
            var stages = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            for (int s = 0; s < m.stages(); s++) {
                var stage = stages.addObject().put("layers", layers.get(s)).put("forward_ms", forward[s]).put("backward_ms", backward[s]);
                if (adam) stage.put("parameters", m.parameters()[s]).put("optimizer_ms", optimizer[s]).put("predicted_optimizer_ms", c.predictedOptimizerMs()[s]);
            }
            e.set("stages", stages);
            // per boundary: the ping-pong between idle stages, and the transfers as the run met them (what the simulator replays)
            var boundaries = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            for (int s = 0; s + 1 < m.stages(); s++) {
                boundaries.addObject().put("ping_ms", m.p2pMs()[s]).put("activation_ms", m.meanTransferMs(s, true))
                        .put("gradient_ms", m.meanTransferMs(s, false));
            }
            e.set("boundaries", boundaries);
            emit(e);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Runs on this node.")
    static final class ListRuns implements Callable<Integer> {
        @Mixin RootOption root;

        @Override
        public Integer call() throws Exception {
            for (RunDirectory r : root.runs().list()) {
                // one damaged run folder is reported as such; it must not hide the others
                try {
                    var info = r.readInfo();
                    emit(Event.of(RunnerEvent.RUN).put("run", r.id()).put("state", r.state()).put("engine", info.path("engine").asText())
                            .put("model", info.path("model").asText()).put("created", info.path("created").asText()));
                } catch (RuntimeException | IOException e) {
                    emit(Event.of(RunnerEvent.RUN).put("run", r.id()).put("state", "corrupt").put("problem", e.getMessage()));
                }
            }
            return 0;
        }
    }

    public static int run(String[] args, PrintWriter stdout, PrintWriter err) {
        out = stdout;
        CommandLine cl = new CommandLine(new RemoteRunner());
        cl.setOut(stdout);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof InputFileException || ex instanceof IllegalArgumentException || ex instanceof IOException) {
                emit(Event.of(RunnerEvent.ERROR).put("kind", "input").put("message", ex.getMessage()));
                return 1;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"remote-runner " + version()};
        }
    }
}
