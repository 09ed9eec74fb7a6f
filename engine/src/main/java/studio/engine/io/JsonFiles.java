package studio.engine.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
    /** The largest input file read whole: Galvatron's profiles and configs are kilobytes, a few megabytes at most. */
    public static final long MAX_INPUT_BYTES = 32L << 20;
    /** Jackson's streaming parser with limits that keep hostile files from exhausting memory. */
    private static final JsonFactory FACTORY = factory();

    private JsonFiles() {
    }

    private static JsonFactory factory() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).maxStringLength(1 << 20)
                        .maxNumberLength(400).maxDocumentLength(MAX_INPUT_BYTES).build())
                .build();
    }

    /**
     * Jackson's mapper, made on first use: its class initialisation builds a SimpleDateFormat and a calendar for the
     * default date format (the JDK's locale data), 35 ms of a cold run that reads inputs with {@link #parse} alone.
     */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper(factory());
    }

    public static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    /** The JSON value at the start of {@code text} (null for none) as Jackson's tree; see {@link #tree}. */
    public static JsonNode parse(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            return tree(parser);
        }
    }

    /**
     * The next value of {@code parser} (JSON's, or YAML's) as Jackson's tree, null at the end of the input: what
     * {@code ObjectMapper.readTree} builds (ints as int, long or big-integer nodes, other numbers as doubles, a repeated
     * key's last value in the key's first place), made from the parser's tokens without a mapper.
     */
    public static JsonNode tree(JsonParser parser) throws IOException {
        return parser.nextToken() == null ? null : value(parser);
    }

    private static JsonNode value(JsonParser parser) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (parser.currentToken()) {
            case START_OBJECT:
                ObjectNode object = nodes.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    parser.nextToken();
                    object.replace(key, value(parser));
                }
                return object;
            case START_ARRAY:
                ArrayNode array = nodes.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) array.add(value(parser));
                return array;
            case VALUE_STRING:
                return nodes.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                        return nodes.numberNode(parser.getIntValue());
                    case LONG:
                        return nodes.numberNode(parser.getLongValue());
                    default:
                        return nodes.numberNode(parser.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return nodes.numberNode(parser.getDoubleValue());
            case VALUE_TRUE:
                return nodes.booleanNode(true);
            case VALUE_FALSE:
                return nodes.booleanNode(false);
            case VALUE_NULL:
                return nodes.nullNode();
            default:
                throw new JsonParseException(parser, "unexpected " + parser.currentToken());
        }
    }

    /** Reads a file that must hold one JSON object (key order is kept: Jackson's ObjectNode is ordered). */
    public static ObjectNode readObject(Path file) {
        String text;
        try {
            if (Files.isDirectory(file)) throw new InputFileException(file, null, "is a folder; expected a JSON file");
            long size = Files.size(file);
            if (size > MAX_INPUT_BYTES) {
                throw new InputFileException(file, null, "is " + (size >> 20) + " MB; a Galvatron file is at most "
                        + (MAX_INPUT_BYTES >> 20) + " MB (is it the right file?)");
            }
            text = readUtf8(file);
        } catch (NoSuchFileException e) {
            throw new InputFileException(file, null, "file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InputFileException(file, null, "is not UTF-8 text; expected a JSON file");
        } catch (IOException e) {
            throw new InputFileException(file, null, "cannot be read (" + e.getMessage() + ")");
        }
        JsonNode node;
        JsonParser parser = null;
        try {
            parser = FACTORY.createParser(text);
            node = tree(parser);
        } catch (StreamConstraintsException e) {
            // Jackson's own limits (nesting depth, string and number length) keep hostile files from exhausting memory
            String why = e.getOriginalMessage() == null ? "too large" : e.getOriginalMessage();
            String key = parser == null || parser.getParsingContext() == null ? null : parser.getParsingContext().getCurrentName();
            throw new InputFileException(file, key, "exceeds what a Galvatron file may hold: "
                    + why.lines().findFirst().orElse(why).replaceAll(", from `StreamReadConstraints[^`]*`", ""));
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InputFileException(file, null, "is not valid JSON" + at
                    + " (" + why.lines().findFirst().orElse(why) + "); the file may be truncated");
        } catch (IOException e) {
            throw new InputFileException(file, null, "cannot be read (" + e.getMessage() + ")");
        } finally {
            if (parser != null) {
                try {
                    parser.close();
                } catch (IOException e) {
                    // a string parser has nothing to release
                }
            }
        }
        if (node == null || node.isMissingNode()) {
            throw new InputFileException(file, null, "is empty; expected a JSON object");
        }
        if (!(node instanceof ObjectNode)) {
            throw new InputFileException(file, null, "expected a JSON object at the top level, found " + kind(node));
        }
        return (ObjectNode) node;
    }

    /** A file's text, refusing bytes that are not UTF-8 instead of replacing them. */
    public static String readUtf8(Path file) throws IOException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
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
        if (!Double.isFinite(v.doubleValue())) throw new InputFileException(file, fullKey, "expected a finite number, found " + v.asText());
        return v.doubleValue();
    }

    /** The largest value a measured quantity may take before it is taken for a corrupt file (ms, MB, GB/s alike). */
    public static final double MAX_MEASURED = 1e9;
    /** The smallest positive measurement taken as real: below it a time or bandwidth is noise or corruption. */
    public static final double MIN_POSITIVE = 1e-6;

    /** A measured quantity that must be positive: a time, a bandwidth, a slowdown factor. */
    public static double positive(Path file, String key, JsonNode v, String what) {
        double x = measured(file, key, v, what);
        if (!(x >= MIN_POSITIVE)) {
            throw new InputFileException(file, key, "expected " + what + " above " + MIN_POSITIVE + ", found " + v.asText());
        }
        return x;
    }

    /** A measured quantity that may be zero but not negative: memory. */
    public static double nonNegative(Path file, String key, JsonNode v, String what) {
        double x = measured(file, key, v, what);
        if (x < 0) throw new InputFileException(file, key, "expected " + what + " of at least 0, found " + v.asText());
        return x;
    }

    private static double measured(Path file, String key, JsonNode v, String what) {
        if (v == null) throw new InputFileException(file, key, "missing; expected " + what);
        if (!v.isNumber()) throw new InputFileException(file, key, "expected a number (" + what + "), found " + kind(v));
        double x = v.doubleValue();
        if (!Double.isFinite(x) || Math.abs(x) > MAX_MEASURED) {
            throw new InputFileException(file, key, "expected " + what + ", found " + v.asText() + " (out of any plausible range)");
        }
        return x;
    }

    /**
     * An integer member: a JSON integer within {@code [min, max]}; 2.7, "2" or 2^32 are refused rather than read as
     * something else.
     */
    public static int integer(Path file, String key, JsonNode v, int min, int max, String what) {
        if (v == null) throw new InputFileException(file, key, "missing; expected " + what);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new InputFileException(file, key, "expected " + what + " (an integer), found " + kind(v));
        long x = v.asLong();
        if (x < min || x > max) {
            throw new InputFileException(file, key, "expected " + what + " between " + min + " and " + max + ", found " + v.asText());
        }
        return (int) x;
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

    /** The prefix and suffix of {@link #writeAtomically}'s temporary files, so a later start can clean up after a crash. */
    private static final String TEMP_SUFFIX = ".gstudio-tmp";

    /**
     * Writes {@code content} to a temporary file beside {@code target}, fsyncs it, moves it into place atomically and
     * fsyncs the folder, so a crash leaves the old file or the new one, never a torn one. A symbolic link is written
     * through (the file it points at is replaced, the link stays) and the file's permissions are kept.
     */
    public static void writeAtomically(Path target, String content) throws IOException {
        writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, out -> out.write(content));
    }

    /** What writes a file's content into a stream (the file is then fsynced and moved into place). */
    @FunctionalInterface
    public interface Content {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /** The same, streaming: {@code content} writes as much as it likes without the whole file in memory. */
    public static void writeAtomically(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        // through a link: replace what it points at, in that file's folder (a rename there keeps the link intact)
        if (Files.isSymbolicLink(abs)) {
            Path link = Files.readSymbolicLink(abs);
            abs = (link.isAbsolute() ? link : abs.getParent().resolve(link)).normalize();
        }
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = null;
        if (Files.exists(abs)) {
            try {
                permissions = Files.getPosixFilePermissions(abs);
            } catch (UnsupportedOperationException e) {
                permissions = null;
            }
        }
        Path tmp = null;
        try {
            java.nio.channels.FileChannel created = null;
            while (created == null) {
                tmp = dir == null ? Path.of(temporaryName(abs)) : dir.resolve(temporaryName(abs));
                try {
                    created = java.nio.channels.FileChannel.open(tmp, java.util.Set.of(java.nio.file.StandardOpenOption.WRITE,
                            java.nio.file.StandardOpenOption.CREATE_NEW), OWNER_ONLY);
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    tmp = null; // another process's, or a crash's leftover: the next number
                } catch (UnsupportedOperationException noPosix) {
                    created = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE,
                            java.nio.file.StandardOpenOption.CREATE_NEW);
                }
            }
            try (java.nio.channels.FileChannel ch = created) {
                java.io.OutputStream raw = java.nio.channels.Channels.newOutputStream(ch);
                java.io.BufferedOutputStream out = new java.io.BufferedOutputStream(raw, 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            if (permissions != null) Files.setPosixFilePermissions(tmp, permissions);
            else if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // the temporary file is 0600 while written; a new file gets what an ordinary write would (0644 under umask 022)
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            if (dir != null) syncFolder(dir);
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    private static final java.util.concurrent.atomic.AtomicLong TEMPORARY_FILES = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A temporary file's name beside {@code target}, unique to this process and call. Not Files.createTempFile's random
     * name: its SecureRandom starts the JDK's security providers, 6-10 ms of a short run; CREATE_NEW (O_EXCL, which
     * refuses an existing file or link) is what makes the file safe to create, and a taken name just moves on.
     */
    private static String temporaryName(Path target) {
        return "." + target.getFileName() + "." + ProcessHandle.current().pid() + "-" + TEMPORARY_FILES.incrementAndGet() + TEMP_SUFFIX;
    }

    /** Flushes a folder's entries (the rename) to disk; where the platform cannot open a folder, nothing to do. */
    private static void syncFolder(Path dir) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems do not open folders; the rename itself was atomic
        }
    }

    /**
     * Removes temporary files a crash left in {@code dir} (by an earlier {@link #writeAtomically}); files younger than
     * a minute may belong to a write in progress in another process and are kept. Returns how many were removed.
     */
    public static int removeStaleTemporaryFiles(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        int removed = 0;
        long cutoff = System.currentTimeMillis() - 60_000;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(TEMP_SUFFIX) && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(p).toMillis() < cutoff) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        } catch (IOException e) {
            return removed;
        }
        return removed;
    }
}
