package studio.runner.train;

import studio.engine.launch.ShellWords;
import studio.engine.protocol.RunnerEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;
import studio.engine.plan.PlanValidator;
import studio.engine.plan.RuleViolation;
import studio.runner.events.Event;
import studio.runner.events.GalvatronLogParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Starting, following, stopping and listing training runs on this node. */
public final class Runs {
    private final Path root;

    public Runs(Path root) {
        this.root = root;
    }

    /**
     * Galvatron 3.0's run: its model folder ({@code train_dist.py} and {@code scripts/train_dist.yaml}), the dataset,
     * and the config as the 3.0 runtime reads it, with the MoE layout's rules when the model YAML names experts.
     */
    private static List<String> preflight3(TrainOptions o, List<String> problems) {
        if (o.globalMode()) {
            problems.add("--pp-deg, --global-tp-deg, --sdp, --chunks, --global-checkpoint, --vocab-tp: Galvatron v2's GLOBAL-mode flags; "
                    + "with --runtime galvatron-v3 give the plan as --config");
        }
        if (o.modelDir == null) {
            problems.add("--model-dir is required with --runtime galvatron-v3 (Galvatron 3.0's galvatron/models/gpt, or models/moe, on this node)");
        } else {
            for (String f : List.of("train_dist.py", "scripts/train_dist.yaml")) {
                if (!Files.isRegularFile(o.modelDir.resolve(f))) problems.add(o.modelDir + ": no " + f + " (not a Galvatron 3.0 model folder)");
            }
        }
        if (o.dataPath != null && (!Files.isRegularFile(Path.of(o.dataPath + ".bin")) || !Files.isRegularFile(Path.of(o.dataPath + ".idx")))) {
            problems.add("--data-path " + o.dataPath + ": " + o.dataPath + ".bin / .idx not found on this node");
        }
        if (o.config == null) return problems;
        if (!Files.isRegularFile(o.config)) {
            problems.add("--config " + o.config + ": not found");
            return problems;
        }
        try {
            int world = o.nnodes * o.nprocPerNode;
            GalvatronConfig.Loaded l = GalvatronConfig.read(o.config, world, PipelineType.GPIPE, DpType.DDP, studio.engine.plan.TargetRuntime.GALVATRON_V3);
            List<RuleViolation> v = new ArrayList<>(l.fileViolations());
            Path modelYaml = GalvatronLaunch.modelYaml(o);
            if (modelYaml != null) {
                var fields = new java.util.LinkedHashMap<String, com.fasterxml.jackson.databind.JsonNode>();
                studio.engine.io.HydraConfig.read(modelYaml).properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
                if (o.numLayers != null) fields.put("num_layers", com.fasterxml.jackson.databind.node.IntNode.valueOf(o.numLayers));
                var arch = studio.engine.model.ArchitectureReader.fromGalvatron3(modelYaml, o.modelSize, fields);
                v.addAll(studio.engine.plan.v3.Runtime3Rules.experts(l.plan(), arch.isMoe() ? arch.moe().experts() : 0,
                        arch.isMoe() ? arch.moe().expertFfn() : 0));
                if (l.plan().layerCount() != arch.layers()) {
                    problems.add(o.config.getFileName() + ": " + l.plan().layerCount() + " layers, the model " + arch.layers()
                            + " (the 3.0 runtime stops: \"Layer_num in json config does not match layer_num in the model!\")");
                }
            } else if (l.plan().placesExperts()) {
                problems.add(o.config.getFileName() + ": the plan places experts (ep_sizes_enc) but " + o.modelDir
                        + "/../model_configs/" + o.modelSize + ".yaml is not there to say the model has them");
            }
            for (String s : RuleViolation.summarize(v)) problems.add(o.config.getFileName() + ": " + s);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /** Why a run must not start: broken runtime rules, missing files. Empty when it may. */
    /** Galvatron's distributed checkpoint needs ZeRO (profiler-runtime spec §6.2), in either mode. */
    private static final String SAVE_WITH_DDP = "--save with default_dp_type ddp: Galvatron asserts at the first save";

    public static List<String> preflight(TrainOptions o) {
        List<String> problems = new ArrayList<>();
        if (o.engine.equals("djl")) return problems;
        if (!o.engine.equals("galvatron")) {
            problems.add("--engine: expected galvatron or djl, got '" + o.engine + "'");
            return problems;
        }
        if (!o.runtime.equals("galvatron-v2") && !o.v3()) {
            problems.add("--runtime: expected galvatron-v2 or galvatron-v3, got '" + o.runtime + "'");
            return problems;
        }
        if (o.v3()) return preflight3(o, problems);
        if (o.modelDir == null) {
            problems.add("--model-dir is required with the galvatron engine (Galvatron's galvatron/models/llama_hf on this node)");
        } else if (!Files.isRegularFile(o.modelDir.resolve(o.dataPath == null ? "train_dist_random.py" : "train_dist.py"))) {
            problems.add(o.modelDir + ": no " + (o.dataPath == null ? "train_dist_random.py" : "train_dist.py") + " (not a Galvatron model folder)");
        }
        if (o.dataPath != null && (!Files.isRegularFile(Path.of(o.dataPath + ".bin")) || !Files.isRegularFile(Path.of(o.dataPath + ".idx")))) {
            problems.add("--data-path " + o.dataPath + ": " + o.dataPath + ".bin / .idx not found on this node");
        }
        if (o.tokenizerModel != null && !Files.isRegularFile(o.tokenizerModel)) problems.add("--tokenizer-model " + o.tokenizerModel + ": not found");
        if (o.load != null && !Files.isDirectory(o.load)) problems.add("--load " + o.load + ": no such checkpoint folder");
        if (o.hfCheckpoint != null && !Files.isDirectory(o.hfCheckpoint)) problems.add("--hf-checkpoint " + o.hfCheckpoint + ": no such folder");
        if (o.save != null && o.exportHf == null && o.save.toString().isBlank()) problems.add("--save: empty path");
        problems.addAll(studio.engine.launch.CheckpointConversion.problems(GalvatronLaunch.modelType(o), o.exportHf != null, o.save != null));
        if (o.resumeIteration != null && o.load == null) problems.add("--resume-iteration needs --load (the distributed checkpoint to resume)");
        if (o.config != null && o.globalMode()) {
            problems.add("--config and the GLOBAL-mode flags (--pp-deg, --global-tp-deg, --sdp, --chunks, --global-checkpoint, --vocab-tp) "
                    + "exclude each other: Galvatron's JSON config overrides them");
        }
        if (o.globalMode()) globalModeProblems(o, problems);
        if (o.config != null) {
            if (!Files.isRegularFile(o.config)) {
                problems.add("--config " + o.config + ": not found");
            } else {
                try {
                    int world = o.nnodes * o.nprocPerNode;
                    GalvatronConfig.Loaded l = GalvatronConfig.read(o.config, world, PipelineType.GPIPE, DpType.DDP);
                    List<RuleViolation> v = new ArrayList<>(l.fileViolations());
                    Path meta = o.modelDir == null ? null : o.modelDir.resolve("meta_configs").resolve(o.modelSize + ".json");
                    if (meta != null && Files.isRegularFile(meta)) {
                        ModelDescription m = ModelCatalog.read(meta);
                        if (o.numLayers != null) m = m.withLayerCount(o.numLayers);
                        if (o.seqLength != null) m = m.withSeqLength(o.seqLength);
                        v.addAll(PlanValidator.validate(l.plan(), m, world, o.sequenceParallel));
                    }
                    if (o.save != null && l.plan().defaultDpType() == DpType.DDP) {
                        v.add(new RuleViolation(21, -1, SAVE_WITH_DDP));
                    }
                    for (String s : RuleViolation.summarize(v)) problems.add(o.config.getFileName() + ": " + s);
                } catch (RuntimeException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        return problems;
    }

    /** Galvatron's GLOBAL-mode ranges (spec profiler-runtime §4.1), and what the world size allows. */
    private static void globalModeProblems(TrainOptions o, List<String> problems) {
        int world = o.nnodes * o.nprocPerNode;
        int pp = o.ppDeg == null ? 1 : o.ppDeg;
        if (o.ppDeg != null && (pp < 1 || Integer.bitCount(pp) != 1 || world % pp != 0)) {
            problems.add("--pp-deg " + pp + ": expected a power of two dividing the " + world + " GPUs");
        }
        if (o.globalTpDeg != null && o.globalTpDeg != -1 && (o.globalTpDeg < 1 || Integer.bitCount(o.globalTpDeg) != 1
                || o.globalTpDeg > 32 || (world / Math.max(1, pp)) % o.globalTpDeg != 0)) {
            problems.add("--global-tp-deg " + o.globalTpDeg + ": expected 1, 2, 4, ... 32 dividing the " + world / Math.max(1, pp) + " GPUs of a stage");
        }
        String[] names = {"--global-tp-consec", "--sdp", "--global-checkpoint", "--embed-sdp"};
        Integer[] values = {o.globalTpConsec, o.sdp, o.globalCheckpoint, o.embedSdp};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null && values[i] != 0 && values[i] != 1) problems.add(names[i] + " " + values[i] + ": expected 0 or 1");
        }
        if (o.chunks != null && o.chunks != -1 && o.chunks < 1) problems.add("--chunks " + o.chunks + ": expected -1 (auto) or at least 1");
        if (o.vocabTp != null && (o.vocabTp < 1 || Integer.bitCount(o.vocabTp) != 1 || o.vocabTp > 16)) {
            problems.add("--vocab-tp " + o.vocabTp + ": expected 1, 2, 4, 8 or 16");
        }
        if (o.pipelineType != null && !List.of("gpipe", "pipedream_flush").contains(o.pipelineType)) {
            problems.add("--pipeline-type " + o.pipelineType + ": expected gpipe or pipedream_flush");
        }
        if (o.defaultDpType != null && !List.of("ddp", "zero2", "zero3").contains(o.defaultDpType)) {
            problems.add("--default-dp-type " + o.defaultDpType + ": expected ddp, zero2 or zero3");
        }
        if (o.save != null && "ddp".equals(o.defaultDpType == null ? "ddp" : o.defaultDpType)) {
            problems.add(SAVE_WITH_DDP + " (give --default-dp-type zero2 or zero3)");
        }
    }

    /** The command the djl engine runs: the smoke trainer from this runner's jar. */
    public static List<String> djlCommand(TrainOptions o, String runnerJar) {
        int globalBatch = o.globalBatch == null ? 8 : o.globalBatch;
        int seq = o.seqLength == null ? 64 : o.seqLength;
        return List.of("java", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-cp", runnerJar,
                "studio.runner.djl.DjlTrainer", "--iterations", String.valueOf(o.trainIters), "--global-batch", String.valueOf(globalBatch),
                "--seq-length", String.valueOf(seq), "--layers", String.valueOf(o.djlLayers), "--hidden", String.valueOf(o.djlHidden),
                "--lr", String.valueOf(o.lr >= 1e-4 ? o.lr : 0.05), "--device", o.djlDevice);
    }

    /** What {@code train --dry-run} prints: the command {@link #start} would run for these options. */
    public static String dryRunCommand(TrainOptions o, String runnerJar) {
        return ShellWords.command(o.engine.equals("djl") ? djlCommand(o, runnerJar) : GalvatronLaunch.command(o, o.load));
    }

    /** Creates the run folder and starts the run detached from this process and its SSH session. */
    public RunDirectory start(TrainOptions o, String runnerJar, Consumer<Event> out) throws IOException {
        // a counter after the time keeps two runs started in the same millisecond apart
        String stamp = Instant.now().toString().replace(":", "").replace(".", "-");
        RunDirectory run = null;
        for (int n = 0; run == null; n++) {
            String id = stamp + "-node" + o.nodeRank + (n == 0 ? "" : "-" + n);
            RunDirectory candidate = RunDirectory.resolve(root, id);
            try {
                Files.createDirectories(root);
                Files.createDirectory(candidate.dir());
                run = candidate;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (n > 100) throw e;
            }
        }
        String id = run.id();
        Path config = null;
        if (o.config != null) {
            config = run.dir().resolve("galvatron_config.json");
            Files.copy(o.config, config);
        }
        StringBuilder sh = new StringBuilder("#!/usr/bin/env bash\n# written by remote-runner; the exact command of this run\n");
        sh.append("echo $$ > ").append(ShellWords.quote(run.pidFile().toString())).append('\n');
        Map<String, String> env = GalvatronLaunch.environment(o);
        int globalBatch;
        int seq;
        if (o.engine.equals("djl")) {
            globalBatch = o.globalBatch == null ? 8 : o.globalBatch;
            seq = o.seqLength == null ? 64 : o.seqLength;
            sh.append("export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}\n");
            sh.append(ShellWords.command(djlCommand(o, runnerJar))).append('\n');
        } else {
            TrainOptions eff = o;
            if (config != null) eff.config = config;
            globalBatch = 0;
            seq = o.seqLength == null ? 0 : o.seqLength;
            if (config != null) {
                var l = GalvatronConfig.read(config, o.nnodes * o.nprocPerNode, PipelineType.GPIPE, DpType.DDP);
                globalBatch = l.plan().globalBatch();
            } else if (o.globalBatch != null) {
                globalBatch = o.globalBatch;
            }
            sh.append("cd ").append(ShellWords.quote(o.modelDir.toAbsolutePath().toString())).append(" || exit 1\n");
            for (var e : env.entrySet()) sh.append("export ").append(e.getKey()).append('=').append(ShellWords.quote(e.getValue())).append('\n');
            Path load = o.load;
            if (o.hfCheckpoint != null) {
                load = run.dir().resolve("converted-checkpoint");
                sh.append(ShellWords.command(GalvatronLaunch.convertIn(o, load))).append(" || { echo 97 > ")
                        .append(ShellWords.quote(run.exitFile().toString())).append("; exit 97; }\n");
            }
            sh.append(ShellWords.command(GalvatronLaunch.command(eff, load))).append('\n');
        }
        sh.append("code=$?\n");
        if (o.exportHf != null && o.save != null && o.engine.equals("galvatron")) {
            sh.append("if [ $code -eq 0 ]; then ").append(ShellWords.command(GalvatronLaunch.convertOut(o))).append(" || code=98; fi\n");
        }
        sh.append("echo $code > ").append(ShellWords.quote(run.exitFile().toString())).append('\n');
        Files.writeString(run.command(), sh.toString());
        Files.setPosixFilePermissions(run.command(), PosixFilePermissions.fromString("rwxr-xr-x"));
        ObjectNode info = JsonFiles.mapper().createObjectNode();
        info.put("id", id);
        info.put("engine", o.engine);
        info.put("created", Instant.now().toString());
        info.put("model", o.modelSize);
        info.put("node_rank", o.nodeRank);
        info.put("nnodes", o.nnodes);
        info.put("global_batch", globalBatch);
        info.put("seq_length", seq);
        ObjectNode envJson = info.putObject("environment");
        env.forEach(envJson::put);
        run.writeInfo(info);
        // setsid: its own session and process group, so closing SSH does not end it and stop can signal the group
        ProcessBuilder pb = new ProcessBuilder("setsid", "bash", run.command().toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(run.log().toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        // the shell writes its pid first thing; remember which process that is before anyone may signal it
        long deadline = System.currentTimeMillis() + 5000;
        while (run.pid() <= 0 && p.isAlive() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (run.pid() > 1) run.recordProcess(info, run.pid());
        out.accept(Event.of(RunnerEvent.LAUNCHED).put("run", id).put("pid", p.pid()).put("dir", run.dir().toString())
                .put("command", Files.readString(run.command())));
        return run;
    }

    public RunDirectory find(String id) {
        RunDirectory r = RunDirectory.resolve(root, id);
        if (!Files.isRegularFile(r.info())) throw new IllegalArgumentException("no run '" + id + "' under " + root);
        return r;
    }

    /**
     * Replays the run's events after {@code fromSeq} and, with {@code follow}, keeps reading while it runs; ends with
     * its final state.
     */
    public void events(RunDirectory run, long fromSeq, boolean follow, Consumer<Event> out) throws IOException, InterruptedException {
        ObjectNode info = run.readInfo();
        GalvatronLogParser parser = new GalvatronLogParser(info.path("global_batch").asInt(), info.path("seq_length").asInt());
        long seq = 0;
        long pos = 0;
        StringBuilder partial = new StringBuilder();
        long waitingSince = System.currentTimeMillis();
        while (true) {
            // still going: no exit code yet, and the process is alive or has not written its pid yet (just launched)
            boolean aliveBefore = run.exitCode() == null && (run.alive()
                    || (run.pid() <= 0 && System.currentTimeMillis() - waitingSince < 30_000));
            if (Files.exists(run.log())) {
                try (RandomAccessFile f = new RandomAccessFile(run.log().toFile(), "r")) {
                    if (f.length() > pos) {
                        f.seek(pos);
                        byte[] buf = new byte[(int) Math.min(f.length() - pos, 1 << 22)];
                        f.readFully(buf);
                        pos += buf.length;
                        partial.append(new String(buf, StandardCharsets.UTF_8));
                        int nl;
                        while ((nl = partial.indexOf("\n")) >= 0) {
                            String line = partial.substring(0, nl);
                            partial.delete(0, nl + 1);
                            for (Event e : parser.accept(line)) {
                                seq++;
                                if (seq > fromSeq) out.accept(e.put("seq", seq).put("run", run.id()));
                            }
                        }
                        continue;
                    }
                }
            }
            if (!aliveBefore || !follow) break;
            Thread.sleep(200);
        }
        String state = run.state();
        Integer code = run.exitCode();
        seq++;
        if (follow || !state.equals("running")) {
            Event end = Event.of(RunnerEvent.parse(state)).put("run", run.id())
                    .put("seq", seq).put("state", state);
            if (code != null) end.put("exit_code", code);
            out.accept(end);
        }
    }

    /** Signals the run's process group: TERM, then KILL after the grace period. */
    public void stop(RunDirectory run, long graceMillis) throws IOException, InterruptedException {
        // only the process group this run started, checked by start time and command line; never pid 0, 1 or -1
        var proc = run.process();
        if (proc.isEmpty()) return;
        long pid = proc.get();
        if (pid <= 1) return;
        // wait on the process itself (this handle never matches a later process given the same pid), not on the exit
        // file: the shell writes that a moment before it is gone
        ProcessHandle leader = ProcessHandle.of(pid).orElse(null);
        if (leader == null) return;
        run.markStopped();
        new ProcessBuilder("kill", "-TERM", "--", "-" + pid).inheritIO().start().waitFor();
        long deadline = System.currentTimeMillis() + graceMillis;
        while (leader.isAlive() && System.currentTimeMillis() < deadline) Thread.sleep(50);
        if (leader.isAlive()) {
            new ProcessBuilder("kill", "-KILL", "--", "-" + pid).inheritIO().start().waitFor();
            for (int i = 0; i < 100 && leader.isAlive(); i++) Thread.sleep(50); // KILL cannot be refused: gone within moments
        }
        if (run.exitCode() == null) Files.writeString(run.exitFile(), "143\n");
    }

    public List<RunDirectory> list() throws IOException {
        return RunDirectory.list(root);
    }

    /** The text of a stream, for tests and tools. */
    static List<String> lines(java.io.InputStream in) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }
}
