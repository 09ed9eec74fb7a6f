package studio.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.JsonFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input, one case a row: exit code 1 with one line naming the file, the key and what was expected; bad options
 * exit {@link StudioCli#USAGE_ERROR} with one line and the hint to --help. Never a stack trace, never a silent default.
 */
class BadInputTest {
    static final Path SAMPLES = SampleConfigs.root();
    static final Path LLAMA = SAMPLES.resolve("llama_hf/configs");
    static final Path CONFIG = LLAMA.resolve("galvatron_config_llama-7b_2nodes_8gpus_per_node_40GB_bf16_3D_example.json");

    /** The command line's answer, checked for the shape every refusal must have. */
    static CliRunner refused(int code, String[] args, String... mustName) {
        CliRunner r = CliRunner.run(args);
        String all = r.out() + r.err();
        assertEquals(code, r.exitCode(), String.join(" ", args) + "\n" + all);
        assertFalse(all.contains("Exception") || all.contains("\tat "), "no stack trace:\n" + all);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("note:")).toList();
        assertTrue(lines.get(0).startsWith("error: "), all);
        assertEquals(code == StudioCli.USAGE_ERROR ? 2 : 1, lines.size(), "one line (and the --help hint for usage):\n" + r.err());
        if (code == StudioCli.USAGE_ERROR) assertTrue(lines.get(1).contains("--help"), r.err());
        for (String s : mustName) assertTrue(lines.get(0).contains(s), "names '" + s + "': " + lines.get(0));
        return r;
    }

    static String[] evaluate(Path config, String... more) {
        List<String> a = new ArrayList<>(List.of("evaluate", "--galvatron_config_path", config.toString(), "--sample_configs", SAMPLES.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static Path withKey(Path dir, Path original, String key, Object value) throws Exception {
        ObjectNode j = JsonFiles.readObject(original);
        j.set(key, JsonFiles.mapper().valueToTree(value));
        Path out = dir.resolve(original.getFileName());
        Files.writeString(out, j.toString());
        return out;
    }

    @Test
    void filesThatCannotBeReadAsJson(@TempDir Path dir) throws Exception {
        refused(1, evaluate(Path.of("/")), "/", "--galvatron_config_path", "folder");
        Path deep = dir.resolve("galvatron_config_deep_2nodes_8gpus_per_node_40GB.json");
        Files.writeString(deep, "[".repeat(2000) + "]".repeat(2000));
        refused(1, evaluate(deep), deep.getFileName().toString(), "nesting depth");
        Path longString = dir.resolve("galvatron_config_long_2nodes_8gpus_per_node_40GB.json");
        Files.writeString(longString, "{\"pp_deg\": \"" + "x".repeat(3 << 20) + "\"}");
        refused(1, evaluate(longString), longString.getFileName().toString(), "String value length");
        Path latin1 = dir.resolve("galvatron_config_latin1_2nodes_8gpus_per_node_40GB.json");
        Files.write(latin1, "{\"pp_deg\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        refused(1, evaluate(latin1), latin1.getFileName().toString(), "not UTF-8");
        Path huge = dir.resolve("galvatron_config_huge_2nodes_8gpus_per_node_40GB.json");
        try (var ch = java.nio.channels.FileChannel.open(huge, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'{'}), 40L << 20);
        }
        refused(1, evaluate(huge), huge.getFileName().toString(), "40 MB");
    }

    @Test
    void configValuesThatWouldBeReadWrong(@TempDir Path dir) throws Exception {
        refused(1, evaluate(withKey(dir, CONFIG, "vtp", 0)), "vtp", "dividing");
        refused(1, evaluate(withKey(dir, CONFIG, "pp_deg", 4294967298L)), "pp_deg", "too large");
        refused(1, evaluate(withKey(dir, CONFIG, "chunks", 0)), "chunks", "at least 1");
        refused(1, evaluate(withKey(dir, CONFIG, "pp_division", "10,10")), "pp_division", "does not split");
        List<Double> tps = new ArrayList<>();
        for (int i = 0; i < 32; i++) tps.add(i == 0 ? 2.7 : 2.0);
        refused(1, evaluate(withKey(dir, CONFIG, "tp_sizes_enc", tps)), "tp_sizes_enc", "expected integers");
        // five million layers are refused from the text's size, before anything is built for them
        Path many = withKey(dir, CONFIG, "tp_sizes_enc", "2," .repeat(5_000_000) + "2");
        long t0 = System.nanoTime();
        refused(1, evaluate(many), "tp_sizes_enc", "exceeds");
        Path manyShort = withKey(dir, CONFIG, "tp_sizes_enc", "2,".repeat(20_000) + "2");
        refused(1, evaluate(manyShort), "tp_sizes_enc", "at most 10000");
        assertTrue((System.nanoTime() - t0) / 1e9 < 20);
        Path zeroNodes = dir.resolve("galvatron_config_llama-7b_0nodes_8gpus_per_node_40GB_bf16.json");
        Files.copy(CONFIG, zeroNodes);
        refused(1, evaluate(zeroNodes), zeroNodes.getFileName().toString(), "file name", "--num_nodes");
    }

    @Test
    void profileValuesOutOfRange(@TempDir Path dir) throws Exception {
        Path memory = LLAMA.resolve("memory_profiling_bf16_llama-7b.json");
        ObjectNode m = JsonFiles.readObject(memory);
        ((ObjectNode) m.path("layertype_0_sp").path("2048")).put("parameter_size", -5);
        Path badMemory = dir.resolve("memory_profiling_bf16_llama-7b.json");
        Files.writeString(badMemory, m.toString());
        refused(1, evaluate(CONFIG, "--memory_profiling_path", badMemory.toString()), badMemory.toString(), "parameter_size", "at least 0");

        Path computation = LLAMA.resolve("computation_profiling_bf16_llama-7b.json");
        ObjectNode c = JsonFiles.readObject(computation);
        String firstKey = "layertype_0_bsz8_seq2048";
        assertTrue(c.has(firstKey), c.toString());
        for (double bad : new double[] {0, -3, 1e-300}) {
            c.put(firstKey, bad);
            Path badTime = dir.resolve("computation_profiling_bf16_llama-7b.json");
            Files.writeString(badTime, c.toString());
            refused(1, evaluate(CONFIG, "--time_profiling_path", badTime.toString()), badTime.toString(), firstKey, "a time in ms");
        }
        Path hw = SAMPLES.resolve("hardware_configs");
        Path overlap = dir.resolve("overlap_coefficient.json");
        Files.writeString(overlap, "{\"overlap_coe\": -1}");
        refused(1, evaluate(CONFIG, "--overlap_coe_path", overlap.toString()), "overlap_coe");
        ObjectNode ar = JsonFiles.readObject(hw.resolve("allreduce_bandwidth_2nodes_8gpus_per_node.json"));
        ar.put(ar.fieldNames().next(), 0);
        Path badAr = dir.resolve("allreduce_bandwidth_2nodes_8gpus_per_node.json");
        Files.writeString(badAr, ar.toString());
        refused(1, evaluate(CONFIG, "--allreduce_bandwidth_config_path", badAr.toString()), badAr.toString(), "a bandwidth in GB/s");
        ObjectNode sp = JsonFiles.readObject(hw.resolve("sp_time_1nodes_8gpus_per_node.json"));
        sp.put(sp.fieldNames().next(), 0);
        Path badSp = dir.resolve("sp_time_1nodes_8gpus_per_node.json");
        Files.writeString(badSp, sp.toString());
        refused(1, evaluate(LLAMA.resolve("galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json"), "--sp_time_path",
                badSp.toString()), badSp.toString(), "a time in ms");
    }

    @Test
    void optionValuesAreUsageErrors(@TempDir Path dir) throws Exception {
        refused(StudioCli.USAGE_ERROR, evaluate(CONFIG, "--memory_constraint", "2147483647"), "--memory_constraint", "1 to 16384");
        for (String coe : List.of("NaN", "Infinity", "-1")) {
            refused(StudioCli.USAGE_ERROR, evaluate(CONFIG, "--costmodel_coe", coe, "--json"), "--costmodel_coe", coe);
        }
        refused(StudioCli.USAGE_ERROR, evaluate(CONFIG, "--num_nodes", "0"), "--num_nodes 0");
        refused(StudioCli.USAGE_ERROR, evaluate(CONFIG, "--memory_constraint", "abc"), "--memory_constraint", "abc");
        refused(StudioCli.USAGE_ERROR, evaluate(CONFIG, "--no_such_option", "1"), "--no_such_option");
        String[] search = {"search", "--sample_configs", SAMPLES.toString(), "--log_dir", dir.resolve("logs").toString(), "--output_config_path",
                dir.toString()};
        List<List<String>> bad = List.of(List.of("--settle_bsz", "-64"), List.of("--settle_chunk", "0"), List.of("--parallel_search", "--worker", "0"),
                List.of("--parallel_search", "--worker", "-3"), List.of("--mixed_precision", "a/b"), List.of("--max_bsz", "4", "--min_bsz", "8"));
        for (List<String> b : bad) {
            List<String> a = new ArrayList<>(List.of(search));
            a.addAll(b);
            refused(StudioCli.USAGE_ERROR, a.toArray(String[]::new), b.get(b.size() - 2));
        }
        Path file = dir.resolve("a-file");
        Files.writeString(file, "");
        refused(StudioCli.USAGE_ERROR, new String[] {"search", "--sample_configs", SAMPLES.toString(), "--output_config_path", file.toString()},
                "--output_config_path", "expected a folder");
    }

    @Test
    void profilesConvertRefusesWhatItCannotConvert(@TempDir Path dir) throws Exception {
        Path old = SAMPLES.resolve("legacy/computation_profiling_bf16_hidden4096_head32_seqlen2048.json");
        ObjectNode c = JsonFiles.readObject(old);
        c.put(c.fieldNames().next(), "fast");
        Path bad = dir.resolve("old.json");
        Files.writeString(bad, c.toString());
        refused(1, new String[] {"profiles", "convert", "--computation", bad.toString(), "--seq_length", "2048", "--output_dir", dir.toString(),
                "--name", "x"}, "old.json", "a forward time in ms");
        for (String seq : List.of("0", "-1")) {
            refused(StudioCli.USAGE_ERROR, new String[] {"profiles", "convert", "--computation", old.toString(), "--seq_length", seq,
                    "--output_dir", dir.toString(), "--name", "x"}, "--seq_length");
        }
        refused(StudioCli.USAGE_ERROR, new String[] {"profiles", "convert", "--computation", old.toString(), "--seq_length", "2048", "--bsz", "0",
                "--output_dir", dir.toString(), "--name", "x"}, "--bsz");
        refused(StudioCli.USAGE_ERROR, new String[] {"profiles", "convert", "--computation", old.toString(), "--seq_length", "2048",
                "--output_dir", dir.toString(), "--name", "../escape"}, "--name");
    }

    @Test
    void aSearchThatRunsOutOfMemorySaysSoInsteadOfCrashing(@TempDir Path dir) throws Exception {
        // the whole default batch sweep in a small heap, in a JVM of its own
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-cp",
                System.getProperty("java.class.path"), StudioCli.class.getName(), "search", "--sample_configs", SAMPLES.toString(),
                "--log_dir", dir.resolve("logs").toString(), "--output_config_path", dir.toString()).redirectErrorStream(true).start();
        boolean ended = p.waitFor(300, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) p.destroyForcibly();
        assertTrue(ended, out);
        if (p.exitValue() == 0) return; // it fitted after all: nothing to refuse
        assertEquals(1, p.exitValue(), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception in thread"), out);
        assertTrue(out.contains("error: the search ran out of memory") && out.contains("--settle_bsz"), out);
    }
}
