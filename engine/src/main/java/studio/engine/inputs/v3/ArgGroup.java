package studio.engine.inputs.v3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One group of a composed Galvatron 3.0 config ({@code search_engine.batch_size_info}, ...) read with pydantic's lax
 * coercion and constraints (v3 spec §2.7): a missing or null key takes Galvatron's default, a value of the wrong kind
 * is refused with the key, and keys the search does not know are remembered so the caller can say they were ignored.
 */
final class ArgGroup {
    private final Path file;
    private final String prefix;
    private final ObjectNode node;
    private final Set<String> read = new TreeSet<>();

    ArgGroup(Path file, String prefix, JsonNode node) {
        this.file = file;
        this.prefix = prefix;
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new InputFileException(file, prefix, "expected a group of keys, found " + JsonFiles.kind(node));
        }
        this.node = node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    ObjectNode node() { return node; }

    private JsonNode value(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private String key(String key) { return prefix + "." + key; }

    /** Keys present but never read by the search: accepted and ignored, as Galvatron does. */
    List<String> unread(Set<String> alsoKnown) {
        List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!read.contains(k) && !alsoKnown.contains(k)) out.add(key(k));
        });
        return out;
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    Integer optionalInt(String key) {
        JsonNode v = value(key);
        if (v == null) return null;
        return toInt(key, v);
    }

    int integer(String key, int defaultValue) {
        Integer v = optionalInt(key);
        return v == null ? defaultValue : v;
    }

    int atLeast(String key, int defaultValue, int min) {
        int v = integer(key, defaultValue);
        if (v < min) throw new InputFileException(file, key(key), "expected an integer of at least " + min + ", found " + v);
        return v;
    }

    private int toInt(String key, JsonNode v) {
        if (v.isIntegralNumber() && v.canConvertToInt()) return v.asInt();
        if (v.isBoolean()) return v.asBoolean() ? 1 : 0;
        if (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < Integer.MAX_VALUE) {
            return (int) v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().strip());
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new InputFileException(file, key(key), "expected an integer, found " + JsonFiles.kind(v));
    }

    double number(String key, double defaultValue) {
        JsonNode v = value(key);
        if (v == null) return defaultValue;
        if (v.isNumber()) return v.asDouble();
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new InputFileException(file, key(key), "expected a number, found " + JsonFiles.kind(v));
    }

    boolean bool(String key, boolean defaultValue) {
        JsonNode v = value(key);
        if (v == null) return defaultValue;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isIntegralNumber() && (v.asLong() == 0 || v.asLong() == 1)) return v.asLong() == 1;
        if (v.isTextual()) {
            String t = v.asText().strip().toLowerCase(Locale.ROOT);
            if (Set.of("true", "1", "yes", "on", "t", "y").contains(t)) return true;
            if (Set.of("false", "0", "no", "off", "f", "n").contains(t)) return false;
        }
        throw new InputFileException(file, key(key), "expected true or false, found " + JsonFiles.kind(v));
    }

    /** A 0/1-style flag (Galvatron's {@code disable_*}): any non-zero integer is on. */
    boolean flag(String key, boolean defaultValue) {
        JsonNode v = value(key);
        if (v == null) return defaultValue;
        if (v.isBoolean()) return v.asBoolean();
        return toInt(key, v) != 0;
    }

    String text(String key, String defaultValue) {
        JsonNode v = value(key);
        if (v == null) return defaultValue;
        if (v.isTextual() || v.isNumber() || v.isBoolean()) return v.asText();
        throw new InputFileException(file, key(key), "expected a string, found " + JsonFiles.kind(v));
    }

    String choice(String key, String defaultValue, List<String> allowed) {
        String v = text(key, defaultValue);
        if (!allowed.contains(v)) {
            throw new InputFileException(file, key(key), "expected one of " + String.join(", ", allowed) + ", found '" + v + "'");
        }
        return v;
    }

    Path file() { return file; }

    String prefix() { return prefix; }
}
