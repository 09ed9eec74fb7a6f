package studio.engine.conformance;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's shipped {@code sample-configs} folder from a module's working directory. */
public final class SampleConfigs {
    private SampleConfigs() {
    }

    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("sample-configs"))) return p.resolve("sample-configs");
            p = p.getParent();
        }
        throw new IllegalStateException("sample-configs not found above " + Path.of("").toAbsolutePath());
    }
}
