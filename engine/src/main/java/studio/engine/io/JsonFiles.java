package studio.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;

/** Reading JSON inputs with errors that name the file, and writing any file atomically. */
public final class JsonFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFiles() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads a file that must hold one JSON object (key order is kept: Jackson's ObjectNode is ordered). */
    public static ObjectNode readObject(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputFileException(file, null, "file not found");
        } catch (IOException e) {
            throw new InputFileException(file, null, "cannot be read (" + e.getMessage() + ")");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            throw new InputFileException(file, null, "is not valid JSON at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + " (" + why.lines().findFirst().orElse(why) + "); the file may be truncated");
        }
        if (node == null || node.isMissingNode()) {
            throw new InputFileException(file, null, "is empty; expected a JSON object");
        }
        if (!(node instanceof ObjectNode)) {
            throw new InputFileException(file, null, "expected a JSON object at the top level, found " + kind(node));
        }
        return (ObjectNode) node;
    }

    public static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing";
        if (node.isObject()) return "an object";
        if (node.isArray()) return "an array";
        if (node.isTextual()) return "the string \"" + node.asText() + "\"";
        if (node.isNumber()) return "the number " + node.asText();
        if (node.isBoolean()) return "the boolean " + node.asText();
        if (node.isNull()) return "null";
        return node.getNodeType().toString().toLowerCase();
    }

    /** A number member of {@code obj}; missing or non-numeric values fail with the key named. */
    public static double number(Path file, ObjectNode obj, String key, String context) {
        JsonNode v = obj.get(key);
        String fullKey = context == null ? key : context + "." + key;
        if (v == null) throw new InputFileException(file, fullKey, "missing; expected a number");
        if (!v.isNumber()) throw new InputFileException(file, fullKey, "expected a number, found " + kind(v));
        return v.doubleValue();
    }

    public static ObjectNode object(Path file, ObjectNode obj, String key, String context) {
        JsonNode v = obj.get(key);
        String fullKey = context == null ? key : context + "." + key;
        if (v == null) throw new InputFileException(file, fullKey, "missing; expected an object");
        if (!(v instanceof ObjectNode)) throw new InputFileException(file, fullKey, "expected an object, found " + kind(v));
        return (ObjectNode) v;
    }

    public static Iterable<Map.Entry<String, JsonNode>> fields(ObjectNode obj) {
        return obj.properties();
    }

    /** Writes {@code content} to a temporary file beside {@code target}, then moves it into place atomically. */
    public static void writeAtomically(Path target, String content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
