package studio.runner.events;

import studio.engine.protocol.RunnerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Galvatron's training log (all ranks, as torchrun collects them) into events (profiler-runtime spec §3.3):
 * iterations with loss, time and throughput, memory, anchors of the run's phases, checkpoints, and classified errors
 * with the lines that show them.
 */
public final class GalvatronLogParser {
    private static final Pattern ITERATION = Pattern.compile(
            "^\\| Iteration:\\s*(\\d+) \\| Consumed samples:\\s*(\\d+) \\| Elapsed time per iteration \\(ms\\): ([0-9.]+) \\| "
                    + "Learning rate: (\\S+) \\| Loss: (\\S+) \\| grad norm: (\\S+) \\|");
    private static final Pattern AVERAGE = Pattern.compile("Average iteration time is: ([0-9.]+) s");
    private static final Pattern MEMORY = Pattern.compile("Max memory: ([0-9.]+) MB\\s+Current memory : ([0-9.]+) MB");
    private static final Pattern STAGE = Pattern.compile("^(After creating model|Before Forward|After Forward|After Backward|After optimizer_step) \\[(Allocated|Reserved)\\]");
    private static final Pattern RANDOM_LOSS = Pattern.compile("\\[Epoch (\\d+)\\] \\(Iteration (\\d+)\\): Loss = (\\S+)");
    private static final Pattern EXITCODE = Pattern.compile("exitcode\\s*:\\s*(-?\\d+)");

    private final int globalBatch;
    private final int seqLength;
    private String memoryStage = "";
    private final List<String> recent = new ArrayList<>();

    public GalvatronLogParser(int globalBatch, int seqLength) {
        this.globalBatch = globalBatch;
        this.seqLength = seqLength;
    }

    /** The events one log line produces (usually none). */
    public List<Event> accept(String line) {
        recent.add(line);
        if (recent.size() > 20) recent.remove(0);
        List<Event> out = new ArrayList<>();
        Matcher m = ITERATION.matcher(line);
        if (m.find()) {
            double ms = Double.parseDouble(m.group(3));
            double samples = globalBatch > 0 ? globalBatch / (ms / 1000) : 0;
            Event e = Event.of(RunnerEvent.ITERATION).put("iteration", Long.parseLong(m.group(1))).put("consumed_samples", Long.parseLong(m.group(2)))
                    .put("iteration_ms", ms).put("samples_per_s", samples).put("tokens_per_s", samples * seqLength);
            putNumber(e, "learning_rate", m.group(4));
            putNumber(e, "loss", m.group(5));
            putNumber(e, "grad_norm", m.group(6));
            out.add(e);
            return out;
        }
        if ((m = AVERAGE.matcher(line)).find()) {
            out.add(Event.of(RunnerEvent.AVERAGE_ITERATION_TIME).put("seconds", Double.parseDouble(m.group(1))));
            return out;
        }
        if ((m = STAGE.matcher(line.strip())).find()) {
            memoryStage = m.group(1) + " [" + m.group(2) + "]";
            return out;
        }
        if ((m = MEMORY.matcher(line)).find()) {
            out.add(Event.of(RunnerEvent.MEMORY).put("stage", memoryStage).put("max_mb", Double.parseDouble(m.group(1)))
                    .put("current_mb", Double.parseDouble(m.group(2))));
            return out;
        }
        if ((m = RANDOM_LOSS.matcher(line)).find()) {
            Event e = Event.of(RunnerEvent.ITERATION).put("epoch", Long.parseLong(m.group(1))).put("iteration", Long.parseLong(m.group(2)));
            putNumber(e, "loss", m.group(3));
            out.add(e);
            return out;
        }
        String s = line.strip();
        if (s.startsWith("Galvatron parallel config mode:")) out.add(Event.of(RunnerEvent.PHASE).put("phase", "config").put("detail", s));
        else if (s.equals("Creating Model...")) out.add(Event.of(RunnerEvent.PHASE).put("phase", "creating_model"));
        else if (s.equals("Creating Dataset...")) out.add(Event.of(RunnerEvent.PHASE).put("phase", "creating_dataset"));
        else if (s.equals("Start training...")) out.add(Event.of(RunnerEvent.STARTED));
        else if (s.contains("Finish saving ckpt")) out.add(Event.of(RunnerEvent.CHECKPOINT_SAVED));
        else if (s.contains("Finish loading optimizer and param scheduler")) out.add(Event.of(RunnerEvent.CHECKPOINT_LOADED));
        else if (s.startsWith("[Warning]") || s.startsWith("Warning from PipelineParallel")) out.add(Event.of(RunnerEvent.WARNING).put("message", s));
        String kind = classify(line);
        if (kind != null) {
            Event e = Event.of(RunnerEvent.ERROR).put("kind", kind).put("line", s);
            Matcher x = EXITCODE.matcher(line);
            if (x.find()) e.put("exit_code", Long.parseLong(x.group(1)));
            var lines = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            recent.forEach(lines::add);
            e.set("context", lines);
            out.add(e);
        }
        return out;
    }

    /** The failure classes of the spec (§3.3 F), or null. */
    public static String classify(String line) {
        if (line.contains("CUDA out of memory") || line.contains("OutOfMemoryError") || line.contains("ncclUnhandledCudaError")
                || line.contains("Failed to CUDA calloc")) return "cuda_out_of_memory";
        if (line.contains("DistBackendError") || line.contains("NCCL error") || line.matches(".*nccl(Internal|System|Remote)Error.*")
                || line.contains("ncclInvalidUsage") || line.contains("Watchdog caught collective operation timeout")
                || line.contains("RendezvousTimeoutError") || line.contains("The client socket has timed out")
                || line.contains("Connection refused")) return "nccl_or_network";
        if (line.contains("Wrong tp_size!") || line.contains("Wrong tp_consec!") || line.contains("Wrong dp_type!")
                || line.contains("Wrong pp_rank!") || line.contains("Wrong checkpoint_flag!") || line.contains("KeyError: 'cp_sizes_enc'")
                || line.contains("global_train_batch_size should be multiple of") || line.contains("is not divisible by")
                || line.contains("Hybrid parallel configs are not equal") || line.contains("construct_tensor_parallel_model()")) {
            return "galvatron_config";
        }
        if (line.contains("ChildFailedError") || line.matches(".*exitcode\\s*:\\s*-(9|6).*")) return "process_failed";
        return null;
    }

    private static void putNumber(Event e, String key, String v) {
        try {
            e.put(key, Double.parseDouble(v));
        } catch (NumberFormatException ex) {
            e.put(key, v);
        }
    }
}
