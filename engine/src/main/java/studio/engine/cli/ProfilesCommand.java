package studio.engine.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.engine.io.JsonFiles;
import studio.engine.profile.LegacyProfileConverter;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code gstudio profiles}: profile file utilities. */
@Command(name = "profiles", mixinStandardHelpOptions = true, description = "Profile file utilities.",
        subcommands = {ProfilesCommand.Convert.class, ProfilesCommand.Estimate.class})
public final class ProfilesCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("gstudio profiles: give a subcommand (convert)");
    }

    /** {@code gstudio profiles estimate}: estimated profiles and a hardware preset, Galvatron-named. */
    @Command(name = "estimate", mixinStandardHelpOptions = true,
            description = "Write estimated (not measured) model profiles and hardware files for a model on a GPU cluster.")
    static final class Estimate implements Callable<Integer> {
        @Option(names = {"--model", "--model_size"}, required = true, paramLabel = "NAME|PATH") String model;
        @Option(names = "--gpu", required = true, paramLabel = "GPU", description = "One of A100-80GB-SXM, A100-40GB-SXM, H100-80GB-SXM, H200-SXM, L40S-PCIe, RTX4090-PCIe.")
        String gpu;
        @Option(names = {"--nodes", "--num_nodes"}, defaultValue = "1", paramLabel = "N") int nodes;
        @Option(names = "--num_gpus_per_node", defaultValue = "8", paramLabel = "G") int gpusPerNode;
        @Option(names = "--mixed_precision", defaultValue = "bf16") String precision;
        @Option(names = "--output_dir", required = true, paramLabel = "DIR") Path outputDir;
        @Option(names = "--sample_configs", paramLabel = "DIR") Path sampleConfigs;

        @Override
        public Integer call() throws IOException {
            UsageException.check(nodes >= 1 && nodes <= GalvatronArgs.MAX_NODES, "--num_nodes", nodes, "1 to " + GalvatronArgs.MAX_NODES);
            UsageException.check(gpusPerNode >= 1 && gpusPerNode <= GalvatronArgs.MAX_GPUS_PER_NODE, "--num_gpus_per_node", gpusPerNode,
                    "1 to " + GalvatronArgs.MAX_GPUS_PER_NODE);
            UsageException.precision("--mixed_precision", precision);
            Path root = sampleConfigs != null ? sampleConfigs : studio.engine.inputs.InputLocator.defaultSampleRoot();
            var m = new studio.engine.model.ModelCatalog(root).resolve(model);
            String what = studio.engine.estimate.EstimatedInputs.write(m, gpu, nodes, gpusPerNode, precision, outputDir,
                    root.resolve("hardware_configs"), true, true);
            System.out.println("ESTIMATED (not measured): " + what);
            System.out.println("wrote Galvatron-named files to " + outputDir + "; use them with --time_profiling_path, "
                    + "--memory_profiling_path and the hardware path options, or pass --gpu to search/evaluate directly");
            return 0;
        }
    }

    /** {@code gstudio profiles convert}: Galvatron's older profile layout to the v2 layout. */
    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Re-key a profile of Galvatron's older layout (layertype_0_bsz8, scalar other memory) into the v2 layout.")
    static final class Convert implements Callable<Integer> {
        @Option(names = "--computation", paramLabel = "FILE", description = "Older computation profile.") Path computation;
        @Option(names = "--memory", paramLabel = "FILE", description = "Older memory profile.") Path memory;
        @Option(names = "--seq_length", required = true, paramLabel = "S", description = "The sequence length it was measured at.")
        int seq;
        @Option(names = "--bsz", defaultValue = "8", paramLabel = "B", description = "Batch size of unsuffixed layertype_0 values (default 8).")
        int bsz;
        @Option(names = "--other_time_ms", paramLabel = "MS", description = "Embedding/head forward ms per sample when the file has none.")
        Double otherTimeMs;
        @Option(names = "--output_dir", required = true, paramLabel = "DIR") Path outputDir;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Profile name, e.g. llama-7b or hidden1600_head32.")
        String name;
        @Option(names = "--mixed_precision", defaultValue = "bf16") String precision;

        @Override
        public Integer call() throws IOException {
            if (computation == null && memory == null) throw new UsageException("give --computation and/or --memory");
            UsageException.check(seq >= 1 && seq <= studio.engine.model.ModelCatalog.MAX_SIZE, "--seq_length", seq, "a positive sequence length");
            UsageException.check(bsz >= 1 && bsz <= 999_999, "--bsz", bsz, "a positive batch size");
            if (otherTimeMs != null) {
                UsageException.check(Double.isFinite(otherTimeMs) && otherTimeMs > 0, "--other_time_ms", otherTimeMs, "a positive time in ms");
            }
            UsageException.precision("--mixed_precision", precision);
            UsageException.check(name.matches("[A-Za-z0-9][A-Za-z0-9._\\[\\],-]*"), "--name", name, "a profile name such as llama-7b (no folders)");
            UsageException.folder("--output_dir", outputDir);
            if (computation != null) {
                Path out = outputDir.resolve("computation_profiling_" + precision + "_" + name + ".json");
                JsonFiles.writeAtomically(out, LegacyProfileConverter.computation(computation, seq, bsz, otherTimeMs).toPrettyString());
                System.out.println("wrote " + out);
            }
            if (memory != null) {
                Path out = outputDir.resolve("memory_profiling_" + precision + "_" + name + ".json");
                JsonFiles.writeAtomically(out, LegacyProfileConverter.memory(memory, seq).toPrettyString());
                System.out.println("wrote " + out);
            }
            return 0;
        }
    }
}
