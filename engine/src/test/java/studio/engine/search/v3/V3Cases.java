package studio.engine.search.v3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Galvatron 3.0's conformance cases (copied from ../shared/conformance/v3) as real files and command lines. */
public final class V3Cases {
    private V3Cases() {
    }

    public static Path root() {
        try {
            return Path.of(V3Cases.class.getResource("/conformance/v3").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Galvatron's model folder: galvatron/models/gpt (holds scripts/ and configs/). */
    public static Path gptFolder() { return root().resolve("inputs/galvatron/models/gpt"); }

    public static Path shippedYaml() { return gptFolder().resolve("scripts/search_dist.yaml"); }

    /** S01's Hydra overrides, plus where the log and the config go. */
    public static List<String> s01Overrides(Path out) {
        List<String> o = new ArrayList<>(List.of("LOG_DIR=" + out.resolve("logs"), "+search_engine.options_info.output_config_path=" + out));
        o.addAll(List.of("SEQ_LENGTH=2048", "MEMORY_CONSTRAINT=36", "search_engine.profiling_info.time_profile_mode=static"));
        return o;
    }

    /**
     * Galvatron's test_parallelsim_optimization.py idx 0 (T01) as a YAML: sequence-mode fixtures, 28 layers forced to
     * seq 8192, settle 64 / 32, no async reduce. {@code extra} lines go into search_engine.
     */
    public static Path testYaml(Path dir, String... extra) {
        Path f = root().resolve("inputs/tests_fixtures");
        StringBuilder y = new StringBuilder();
        y.append("search_engine:\n");
        y.append("  profiling_info:\n    time_profile_mode: sequence\n    memory_profile_mode: sequence\n");
        y.append("    time_profiling_path: ").append(f.resolve("time_sequence")).append('\n');
        y.append("    memory_profiling_path: ").append(f.resolve("memory_sequence_sp")).append('\n');
        for (String k : List.of("allreduce_bandwidth_config_path", "p2p_bandwidth_config_path", "overlap_coe_path", "sp_time_path")) {
            y.append("    ").append(k).append(": ").append(f.resolve("hardware_1x8")).append('\n');
        }
        y.append("  model_info:\n    model_config_path: ").append(f.resolve("tests_utils_model_configs_llama2-7b.yaml"))
                .append("\n    model_size: llama2-7b\n    num_layers: 28\n");
        y.append("  common_train_info: {seq_length: 8192, sequence_parallel: true, global_memory_buffer: true}\n");
        y.append("  parallelism_info: {default_dp_type: zero2, pipeline_type: pipedream_flush, async_grad_reduce: false, mixed_precision: bf16}\n");
        y.append("  hardware_info: {num_nodes: 1, num_gpus_per_node: 8, memory_constraint: 36}\n");
        y.append("  batch_size_info: {settle_bsz: 64, settle_chunk: 32}\n");
        y.append("  options_info: {fine_grained_mode: 1, log_dir: ").append(dir.resolve("logs")).append(", output_config_path: ").append(dir).append("}\n");
        for (String e : extra) y.append("  ").append(e).append('\n');
        try {
            Path yaml = dir.resolve("scripts/test_search.yaml");
            Files.createDirectories(yaml.getParent());
            Files.writeString(yaml, y.toString());
            return yaml;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row of a reference tasks.tsv. */
    public record Row(int batch, int chunks, int pp, String mode, int bufferTp, double throughput, String memoryUsed, String memoryRemain,
                      int vtp, int vsp, int embedSdp, String strategies) {
    }

    public static List<Row> tasks(String caseId) {
        try {
            List<String> lines = Files.readAllLines(root().resolve(caseId).resolve("tasks.tsv"));
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split("\t", -1);
                rows.add(new Row(Integer.parseInt(c[0]), Integer.parseInt(c[1]), Integer.parseInt(c[2]), c[3], Integer.parseInt(c[4]),
                        Double.parseDouble(c[5]), c[7], c[8], Integer.parseInt(c[9]), Integer.parseInt(c[10]), Integer.parseInt(c[11]), c[12]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
