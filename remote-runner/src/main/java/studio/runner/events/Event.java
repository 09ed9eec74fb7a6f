package studio.runner.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;
import studio.engine.protocol.RunnerEvent;

import java.time.Instant;

/** One line of the runner's JSON-lines event stream. */
public final class Event {
    private final ObjectNode json;

    private Event(RunnerEvent kind) {
        json = JsonFiles.mapper().createObjectNode();
        json.put(RunnerEvent.FIELD, kind.wireName());
    }

    public static Event of(RunnerEvent kind) {
        return new Event(kind);
    }

    public RunnerEvent kind() { return RunnerEvent.parse(name()); }

    public Event put(String key, String value) {
        if (value != null) json.put(key, value);
        return this;
    }

    public Event put(String key, long value) {
        json.put(key, value);
        return this;
    }

    public Event put(String key, double value) {
        json.put(key, value);
        return this;
    }

    public Event put(String key, boolean value) {
        json.put(key, value);
        return this;
    }

    public Event set(String key, com.fasterxml.jackson.databind.JsonNode value) {
        json.set(key, value);
        return this;
    }

    public Event at(Instant t) {
        json.put("time", t.toString());
        return this;
    }

    public String name() { return json.get(RunnerEvent.FIELD).asText(); }

    public ObjectNode json() { return json; }

    /** One line, no newline inside. */
    public String line() { return json.toString(); }

    @Override
    public String toString() { return line(); }
}
