package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mutation fuzz of the shipped inputs (plan, computation and memory profiles, the four hardware files, the model's
 * meta config): one value of one file is broken at a time and {@code gstudio evaluate} runs on it. Every case must end
 * quickly with either a one-line error naming the broken file, or the unchanged result (the value is not used); an
 * invalid value that changes the result unnoticed is "wrong but accepted". The seed is fixed, so a failure repeats.
 */
class MutationFuzzTest {
    static final Path SAMPLES = SampleConfigs.root();
    static final int CASES_PER_FILE = 45;

    enum Mutation {
        STRING, NEGATIVE, ZERO, INFINITY, FRACTION, NULL, OBJECT, ARRAY, HUGE, DELETE, TRUNCATE;

        /** Whether the mutated value is invalid wherever it lands, so a changed result means it was misread. */
        boolean alwaysInvalid(String kind, String where) {
            return switch (this) {
                case STRING, INFINITY, NULL, OBJECT, ARRAY, HUGE, TRUNCATE -> true;
                case NEGATIVE -> !kind.equals("config");
                // a layer time or a bandwidth is never 0; the embedding/head time, a difference of measurements, may be
                case ZERO -> kind.equals("hardware") || (kind.equals("computation") && !where.contains("layertype_other"));
                case FRACTION, DELETE -> false;
            };
        }
    }

    /** One input the fuzz breaks: which option points at it, and its kind. */
    record Target(String option, Path file, String kind) {
    }

    private static List<String> paths(JsonNode n, String prefix) {
        List<String> out = new ArrayList<>();
        if (n instanceof ObjectNode o) {
            o.properties().forEach(e -> {
                out.add(prefix + "/" + e.getKey().replace("~", "~0").replace("/", "~1"));
                out.addAll(paths(e.getValue(), prefix + "/" + e.getKey().replace("~", "~0").replace("/", "~1")));
            });
        }
        return out;
    }

    private static String mutate(String text, Mutation m, Random rnd, StringBuilder where) throws Exception {
        if (m == Mutation.TRUNCATE) {
            int at = 1 + rnd.nextInt(Math.max(1, text.length() - 2));
            where.append("truncated at ").append(at);
            return text.substring(0, at);
        }
        ObjectNode root = (ObjectNode) JsonFiles.mapper().readTree(text);
        List<String> ps = paths(root, "");
        String p = ps.get(rnd.nextInt(ps.size()));
        where.append(p);
        String parentPath = p.substring(0, p.lastIndexOf('/'));
        String key = p.substring(p.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
        ObjectNode parent = (ObjectNode) (parentPath.isEmpty() ? root : root.at(parentPath));
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode old = parent.get(key);
        switch (m) {
            case STRING -> parent.put(key, "x");
            case NEGATIVE -> parent.put(key, -1);
            case ZERO -> parent.put(key, 0);
            case INFINITY -> parent.put(key, 12345.5);
            case FRACTION -> parent.put(key, old != null && old.isNumber() ? old.asDouble() + 0.5 : 2.5);
            case NULL -> parent.set(key, f.nullNode());
            case OBJECT -> parent.set(key, f.objectNode());
            case ARRAY -> parent.set(key, f.arrayNode());
            case HUGE -> parent.put(key, 99_999_999_999L);
            case DELETE -> parent.remove(key);
            default -> throw new IllegalStateException();
        }
        String out = root.toString();
        // Jackson writes no infinities: put the literal a corrupt file would hold
        return m == Mutation.INFINITY ? out.replace("12345.5", "1e999") : out;
    }

    private static List<String> withFile(List<String> base, String option, Path file) {
        List<String> args = new ArrayList<>(base);
        int at = args.indexOf(option);
        if (at >= 0) {
            args.set(at + 1, file.toString());
        } else {
            args.add(option);
            args.add(file.toString());
        }
        return args;
    }

    @Test
    void brokenInputsAreRefusedClearlyOrHaveNoEffect(@TempDir Path dir) throws Exception {
        Path llama = SAMPLES.resolve("llama_hf/configs");
        Path hw = SAMPLES.resolve("hardware_configs");
        Path config = llama.resolve("galvatron_config_llama-7b_2nodes_8gpus_per_node_40GB_bf16_3D_example.json");
        List<Target> targets = List.of(new Target("--galvatron_config_path", config, "config"),
                new Target("--time_profiling_path", llama.resolve("computation_profiling_bf16_llama-7b.json"), "computation"),
                new Target("--memory_profiling_path", llama.resolve("memory_profiling_bf16_llama-7b.json"), "memory"),
                new Target("--allreduce_bandwidth_config_path", hw.resolve("allreduce_bandwidth_2nodes_8gpus_per_node.json"), "hardware"),
                new Target("--p2p_bandwidth_config_path", hw.resolve("p2p_bandwidth_2nodes_8gpus_per_node.json"), "hardware"),
                new Target("--overlap_coe_path", hw.resolve("overlap_coefficient.json"), "hardware"),
                new Target("--model_size", SAMPLES.resolve("llama_hf/meta_configs/llama-7b.json"), "model"));
        List<String> base = List.of("evaluate", "--galvatron_config_path", config.toString(), "--sample_configs", SAMPLES.toString(),
                "--sequence_parallel");

        Random rnd = new Random(20261201L);
        Map<String, Integer> counts = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
        int n = 0;
        for (Target t : targets) {
            String text = Files.readString(t.file());
            // what the unbroken file gives when passed the same way
            Path same = Files.createDirectories(dir.resolve("baseline" + n)).resolve(t.file().getFileName());
            Files.writeString(same, text);
            CliRunner baseline = CliRunner.run(withFile(base, t.option(), same).toArray(String[]::new));
            assertTrue(baseline.exitCode() == 0 || baseline.exitCode() == 2, baseline.err());
            for (int i = 0; i < CASES_PER_FILE; i++) {
                Mutation m = Mutation.values()[rnd.nextInt(Mutation.values().length)];
                StringBuilder where = new StringBuilder();
                String broken = mutate(text, m, rnd, where);
                Path caseDir = Files.createDirectories(dir.resolve("case" + n++));
                Path file = caseDir.resolve(t.file().getFileName());
                Files.writeString(file, broken);
                List<String> args = withFile(base, t.option(), file);
                String label = t.kind() + " " + t.file().getFileName() + " " + m + " " + where;
                Future<CliRunner> run = pool.submit(() -> CliRunner.run(args.toArray(String[]::new)));
                CliRunner r;
                try {
                    r = run.get(30, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    counts.merge("hang", 1, Integer::sum);
                    problems.add("hang: " + label);
                    run.cancel(true);
                    continue;
                }
                String all = r.out() + r.err();
                if (all.contains("Exception") || all.contains("\tat ")) {
                    counts.merge("stack trace", 1, Integer::sum);
                    problems.add("stack trace: " + label + "\n" + all);
                } else if (r.exitCode() == 1 || r.exitCode() == StudioCli.USAGE_ERROR) {
                    List<String> lines = r.err().lines().filter(l -> !l.startsWith("note:")).toList();
                    boolean clear = lines.size() >= 1 && lines.get(0).startsWith("error: ") && lines.get(0).contains(file.getFileName().toString())
                            && (r.exitCode() != 1 || lines.size() == 1);
                    if (clear) {
                        counts.merge("refused clearly", 1, Integer::sum);
                    } else {
                        counts.merge("vague error", 1, Integer::sum);
                        problems.add("vague error: " + label + "\n" + r.err());
                    }
                } else if (r.out().replace(file.toString(), "").equals(baseline.out().replace(same.toString(), ""))) {
                    counts.merge("accepted, no effect", 1, Integer::sum);
                } else if (m.alwaysInvalid(t.kind(), where.toString())) {
                    counts.merge("wrong but accepted", 1, Integer::sum);
                    problems.add("wrong but accepted: " + label);
                } else {
                    counts.merge("accepted, a valid other value", 1, Integer::sum);
                    accepted.add(label);
                }
            }
        }
        pool.shutdownNow();
        System.out.println("mutation fuzz: " + n + " cases: " + counts);
        accepted.forEach(a -> System.out.println("  accepted (a valid value that changes the result): " + a));
        assertTrue(n >= 300, "a few hundred cases");
        assertTrue(problems.isEmpty(), problems.size() + " problems:\n" + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
    }
}
