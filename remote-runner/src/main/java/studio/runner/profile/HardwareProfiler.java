package studio.runner.profile;

import studio.engine.protocol.RunnerEvent;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;
import studio.runner.env.NodeEnvironment;
import studio.runner.events.Event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the shipped torch.distributed profiler on this node's GPUs (NCCL) or CPUs (Gloo), one process a device, and
 * writes Galvatron's hardware files. Where NVIDIA's nccl-tests are installed, their all-reduce bus bandwidths replace
 * the torch ones for the groups inside a node.
 */
public final class HardwareProfiler {
    /** What to measure and where. */
    public record Request(int nnodes, int nprocPerNode, int nodeRank, String masterAddr, int masterPort, String python, double sizeMb,
                          String spSizesMb, int iters, boolean resume, Path outputDir) {
        public Request {
            if (Integer.bitCount(nprocPerNode) != 1 || Integer.bitCount(nnodes) != 1) {
                throw new IllegalArgumentException("--nnodes and --nproc-per-node must be powers of two, got " + nnodes + " and " + nprocPerNode);
            }
            String[] sizes = spSizesMb.split(",");
            if (sizes.length < 8 || !java.util.Arrays.stream(sizes).allMatch(x -> x.strip().matches("[1-9][0-9]*"))) {
                throw new IllegalArgumentException("--sp-sizes-mb needs at least 8 whole message sizes in MB (the search fits a line "
                        + "through them), got '" + spSizesMb + "'");
            }
        }
    }

    private HardwareProfiler() {
    }

    public static int run(Request r, Consumer<Event> out) throws IOException, InterruptedException {
        Path work = r.outputDir().resolve(".hardware-profile");
        Path script = ShippedScripts.extract("profile_hardware.py", work);
        Path measured = work.resolve("measured.json");
        if (!r.resume()) Files.deleteIfExists(measured);
        int world = r.nnodes() * r.nprocPerNode();
        out.accept(Event.of(RunnerEvent.PROFILE_STARTED).put("what", "hardware").put("world", world).put("node_rank", r.nodeRank()));
        List<String> args = new ArrayList<>(List.of("--out", measured.toString(), "--size-mb", String.valueOf(r.sizeMb()), "--sp-sizes-mb",
                r.spSizesMb(), "--iters", String.valueOf(r.iters())));
        if (r.resume()) args.add("--resume");
        List<Process> procs = TorchRanks.start(r.python(), script, args, r.nodeRank() * r.nprocPerNode(), r.nprocPerNode(), world, r.masterAddr(),
                r.masterPort());
        Thread reaper = ChildProcesses.stopOnExit(procs);
        StringBuilder tail = new StringBuilder();
        List<Thread> readers = TorchRanks.drain(procs, tail, 0, line -> {
            if (!line.startsWith("{\"event\"")) return false;
            out.accept(Event.of(RunnerEvent.PROFILE_PROGRESS).put("line", line));
            return true;
        });
        int code = 0;
        for (Process p : procs) code = Math.max(code, p.waitFor());
        ChildProcesses.done(reaper);
        for (Thread t : readers) t.join(2000);
        if (code != 0) {
            out.accept(Event.of(RunnerEvent.ERROR).put("kind", "profiler").put("exit_code", code).put("line", tail.toString().strip()));
            return code;
        }
        if (r.nodeRank() != 0) {
            out.accept(Event.of(RunnerEvent.PROFILE_FINISHED).put("what", "hardware").put("node_rank", r.nodeRank()));
            return 0;
        }
        ObjectNode m = JsonFiles.readObject(measured);
        replaceWithNcclTests(m, r, out);
        for (String f : HardwareFiles.check(m, r.nprocPerNode())) out.accept(Event.of(RunnerEvent.WARNING).put("message", f));
        List<Path> files = HardwareFiles.write(m, r.nnodes(), r.nprocPerNode(), r.outputDir());
        var arr = JsonNodeFactory.instance.arrayNode();
        files.forEach(f -> arr.add(f.toString()));
        out.accept(Event.of(RunnerEvent.PROFILE_FINISHED).put("what", "hardware").put("backend", m.path("backend").asText())
                .put("device", m.path("device").asText()).set("files", arr));
        return 0;
    }

    /** nccl-tests, when present with GPUs: all-reduce bus bandwidth of the groups inside this node. */
    static void replaceWithNcclTests(ObjectNode m, Request r, Consumer<Event> out) {
        if (!m.path("backend").asText().equals("nccl") || r.nnodes() != 1) return;
        String probe = NodeEnvironment.run(List.of("all_reduce_perf", "-h"), 10);
        if (probe == null) return;
        ObjectNode ar = (ObjectNode) m.path("allreduce");
        int world = r.nprocPerNode();
        for (int g = world; g >= 2; g /= 2) {
            for (int consec : g == world ? new int[] {1} : new int[] {1, 0}) {
                StringBuilder devs = new StringBuilder();
                for (int i = 0; i < g; i++) devs.append(i == 0 ? "" : ",").append(consec == 1 ? i : i * (world / g));
                try {
                    ProcessBuilder pb = new ProcessBuilder("all_reduce_perf", "-b", (int) r.sizeMb() + "M", "-e", (int) r.sizeMb() + "M",
                            "-g", String.valueOf(g));
                    pb.environment().put("CUDA_VISIBLE_DEVICES", devs.toString());
                    pb.redirectErrorStream(true);
                    Process p = pb.start();
                    String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    p.waitFor();
                    double bw = HardwareFiles.ncclTestsBusBandwidth(o);
                    if (bw > 0) ar.put("allreduce_size_" + g + "_consec_" + consec, bw);
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        m.put("allreduce_source", "nccl-tests");
        out.accept(Event.of(RunnerEvent.PROFILE_PROGRESS).put("line", "all-reduce bandwidths from nccl-tests"));
    }
}
