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

    /** What is done with one line a program printed. */
    @FunctionalInterface
    interface JsonLine {
        void accept(com.fasterxml.jackson.databind.JsonNode line) throws IOException;
    }

    /**
     * Runs a shipped program, handing each JSON line it prints to {@code line} (other lines are ignored); its standard
     * error goes to {@code errFile}. The process dies with the runner.
     *
     * @return its exit code; 130 when this thread is interrupted (the process is stopped)
     */
    static int runJsonLines(ProcessBuilder pb, Path errFile, JsonLine line) throws IOException {
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        Thread reaper = ChildProcesses.stopOnExit(java.util.List.of(p));
        try (var br = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            String text;
            while ((text = br.readLine()) != null) {
                com.fasterxml.jackson.databind.JsonNode e;
                try {
                    e = studio.engine.io.JsonFiles.mapper().readTree(text);
                } catch (IOException notJson) {
                    continue;
                }
                line.accept(e);
            }
        }
        try {
            int code = p.waitFor();
            ChildProcesses.done(reaper);
            return code;
        } catch (InterruptedException ex) {
            p.destroy();
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** The last 2,000 characters of a failed program's standard error. */
    static String errorTail(Path errFile) throws IOException {
        String err = Files.readString(errFile);
        return err.substring(Math.max(0, err.length() - 2000)).strip();
    }
}
