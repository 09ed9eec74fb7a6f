package studio.engine.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import studio.engine.inputs.InputLocator;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code gstudio models}: the shipped model presets. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the model presets shipped in sample-configs.")
public final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--sample_configs", paramLabel = "DIR") Path sampleConfigs;

    private final PrintWriter out;

    public ModelsCommand(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        ModelCatalog catalog = new ModelCatalog(sampleConfigs != null ? sampleConfigs : InputLocator.defaultSampleRoot());
        out.printf(Locale.ROOT, "%-32s %-9s %7s %7s %6s %8s%n", "preset", "family", "layers", "hidden", "heads", "seq");
        for (String name : catalog.presetNames()) {
            ModelDescription m = catalog.resolve(name);
            out.printf(Locale.ROOT, "%-32s %-9s %7d %7d %6d %8d%n", name, m.family().directory(), m.totalLayers(), m.hiddenSize(),
                    m.attentionHeads(), m.maxSeqLength());
        }
        out.flush();
        return 0;
    }
}
