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

    public List<JsonNode> named(String name) {
        return events.stream().filter(e -> e.path("event").asText().equals(name)).toList();
    }
}
