package studio.runner.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;
import studio.engine.profile.OptimizerStepProfile;
import studio.engine.profile.ProfilePaths;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the hardware profiler's measurements into Galvatron's four files and the studio's optimizer-step file (what
 * Galvatron does not profile), and checks them for sanity.
 */
public final class HardwareFiles {
    private static final Pattern NCCL_BUSBW = Pattern.compile("#\\s*Avg bus bandwidth\\s*:\\s*([0-9.]+)");

    private HardwareFiles() {
    }

    /** nccl-tests' average bus bandwidth (GB/s) from an {@code all_reduce_perf} output, or -1. */
    public static double ncclTestsBusBandwidth(String output) {
        Matcher m = NCCL_BUSBW.matcher(output);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    public static List<Path> write(JsonNode measured, int nodes, int gpusPerNode, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(write(dir.resolve(ProfilePaths.allreduceFile(nodes, gpusPerNode)), (ObjectNode) measured.path("allreduce")));
        out.add(write(dir.resolve(ProfilePaths.p2pFile(nodes, gpusPerNode)), (ObjectNode) measured.path("p2p")));
        ObjectNode ov = JsonFiles.mapper().createObjectNode();
        ov.put("overlap_coe", measured.path("overlap_coe").asDouble(1.0));
        out.add(write(dir.resolve(ProfilePaths.OVERLAP_FILE), ov));
        out.add(write(dir.resolve(ProfilePaths.spTimeFile(nodes, gpusPerNode)), (ObjectNode) measured.path("sp")));
        // measured by this runner since the optimizer section was added: an older, resumed measurement has none
        if (measured.path("optimizer").isObject()) {
            Path file = write(dir.resolve(OptimizerStepProfile.FILE), ((ObjectNode) measured.path("optimizer")).deepCopy());
            OptimizerStepProfile.read(file); // what the studio will read: a bad measurement fails here, named
            out.add(file);
        }
        return out;
    }

    private static Path write(Path file, ObjectNode json) throws IOException {
        JsonFiles.writeAtomically(file, json.toPrettyString());
        return file;
    }

    /**
     * Sanity checks: consecutive groups that span nodes are not faster than those within one; collective times grow
     * with the message size. Each finding is one sentence.
     */
    public static List<String> check(JsonNode measured, int gpusPerNode) {
        List<String> findings = new ArrayList<>();
        Map<Integer, Double> consec = new TreeMap<>();
        measured.path("allreduce").properties().forEach(e -> {
            String[] p = e.getKey().split("_");
            if (p[p.length - 1].equals("1")) consec.put(Integer.parseInt(p[2]), e.getValue().asDouble());
        });
        double bestInside = consec.entrySet().stream().filter(e -> e.getKey() <= gpusPerNode).mapToDouble(Map.Entry::getValue).min().orElse(0);
        consec.forEach((g, bw) -> {
            if (g > gpusPerNode && bestInside > 0 && bw > bestInside * 1.1) {
                findings.add(String.format(java.util.Locale.ROOT, "all-reduce over %d GPUs across nodes measured %.1f GB/s, faster than "
                        + "inside a node (%.1f GB/s): re-run, the network or the measurement is off", g, bw, bestInside));
            }
        });
        // across nodes, a bigger group crosses more of the network: its bus bandwidth should not grow
        Integer prevG = null;
        for (var e : consec.entrySet()) {
            if (e.getKey() <= gpusPerNode) continue;
            if (prevG != null && e.getValue() > consec.get(prevG) * 1.1) {
                findings.add(String.format(java.util.Locale.ROOT, "all-reduce over %d GPUs measured %.1f GB/s, more than over %d GPUs "
                        + "(%.1f GB/s): bandwidth across nodes should not grow with the group", e.getKey(), e.getValue(), prevG, consec.get(prevG)));
            }
            prevG = e.getKey();
        }
        Map<String, TreeMap<Integer, Double>> series = new TreeMap<>();
        Pattern key = Pattern.compile("(allreduce|all2all)_size_(\\d+)_(\\d+)MB_time");
        measured.path("sp").properties().forEach(e -> {
            Matcher m = key.matcher(e.getKey());
            if (m.matches()) series.computeIfAbsent(m.group(1) + " over " + m.group(2), k -> new TreeMap<>())
                    .put(Integer.parseInt(m.group(3)), e.getValue().asDouble());
        });
        series.forEach((name, times) -> {
            Double prev = null;
            int prevMb = 0;
            for (var t : times.entrySet()) {
                if (prev != null && t.getValue() < prev * 0.8 && t.getKey() >= 8) {
                    findings.add(String.format(java.util.Locale.ROOT, "%s: %d MB took %.3f ms, less than %d MB (%.3f ms); times should "
                            + "grow with the message", name, t.getKey(), t.getValue(), prevMb, prev));
                }
                prev = t.getValue();
                prevMb = t.getKey();
            }
        });
        JsonNode optimizer = measured.path("optimizer");
        if (optimizer.isObject() && !(optimizer.path("ms_per_million_parameters").asDouble() > 0)) {
            findings.add("the optimizer step measured no longer for four times the parameters (" + optimizer.path("step_ms")
                    + " ms): re-run, the device was busy");
        }
        return findings;
    }
}
