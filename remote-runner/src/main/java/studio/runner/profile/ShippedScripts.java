package studio.runner.profile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Python programs inside the runner jar, written out for the node's Python to run. */
final class ShippedScripts {
    private ShippedScripts() {
    }

    static Path extract(String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path script = dir.resolve(name);
        try (InputStream in = ShippedScripts.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException(name + " is missing from the runner jar");
            Files.write(script, in.readAllBytes());
        }
        return script;
    }
}
