package studio.engine.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the {@code gstudio} launcher runs once per jar to record its class-data-sharing archive: an evaluation, a
 * Galvatron v2 search and a Galvatron 3.0 search on the shipped samples, so the classes of each path start from the
 * archive. Output is discarded; the temporary folder is removed.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path samples = studio.engine.inputs.InputLocator.defaultSampleRoot();
        Path tmp = Files.createTempDirectory("gstudio-cds");
        PrintWriter sink = new PrintWriter(new StringWriter());
        try {
            StudioCli.run(new String[] {"evaluate", "--json", "--galvatron_config_path",
                    samples.resolve("llama_hf/configs/galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json").toString()}, sink, sink);
            StudioCli.run(new String[] {"search", "--json", "--model_size", "llama-7b", "--memory_constraint", "36", "--settle_bsz", "64",
                    "--settle_chunk", "16", "--output_config_path", tmp.toString(), "--log_dir", tmp.resolve("logs").toString()}, sink, sink);
            StudioCli.run(new String[] {"search", "--json", samples.resolve("galvatron3/models/gpt/scripts/search_dist_seq2048.yaml").toString(),
                    "+search_engine.batch_size_info.settle_chunk=16", "LOG_DIR=" + tmp.resolve("logs"),
                    "+search_engine.options_info.output_config_path=" + tmp}, sink, sink);
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
