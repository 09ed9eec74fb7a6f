package studio.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs the real runner command line in-process and reads its JSON-lines events. */
public record RunnerCli(int exitCode, List<JsonNode> events, String raw) {
    public static RunnerCli run(String... args) {
        StringWriter out = new StringWriter();
        int code = RemoteRunner.run(args, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        List<JsonNode> events = new ArrayList<>();
        ObjectMapper m = new ObjectMapper();
        for (String line : out.toString().split("\n")) {
            if (line.isBlank()) continue;
            try {
                events.add(m.readTree(line));
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line);
            }
        }
        return new RunnerCli(code, events, out.toString());
    }

    /** Launches a tiny CPU DJL training run long enough to be stopped; returns its run id. */
    public static String launchLongRun(java.nio.file.Path runs) {
        RunnerCli r = run("train", "--engine", "djl", "--runs-dir", runs.toString(), "--train-iters", "100000", "--global-batch", "2",
                "--seq-length", "8", "--djl-hidden", "16", "--djl-device", "cpu");
        List<JsonNode> launched = r.named("launched");
        if (launched.isEmpty()) throw new AssertionError("no launched event: " + r.raw());
        return launched.get(0).get("run").asText();
    }

    public List<JsonNode> named(String name) {
        return events.stream().filter(e -> e.path("event").asText().equals(name)).toList();
    }
}
