package studio.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON read with the streaming parser gives the tree Jackson's mapper gives, node classes included. */
class JsonFilesTest {
    private static final Path SAMPLES = Path.of("..", "sample-configs");

    @TempDir Path tmp;

    /** The same tree, node for node: equal values of the same node classes, keys in the same order. */
    private static void assertSameTree(JsonNode expected, JsonNode actual, String where) {
        assertEquals(expected.getClass(), actual.getClass(), where);
        assertEquals(expected, actual, where);
        if (expected.isArray()) {
            for (int i = 0; i < expected.size(); i++) assertSameTree(expected.get(i), actual.get(i), where + "[" + i + "]");
        } else if (expected.isObject()) {
            assertEquals(iterable(expected.fieldNames()), iterable(actual.fieldNames()), where);
            for (var e : expected.properties()) assertSameTree(e.getValue(), actual.get(e.getKey()), where + "." + e.getKey());
        }
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void numbersStringsAndRepeatedKeysAsTheMapperReadsThem() throws IOException {
        String text = """
                {"int": 7, "negative": -3, "long": 12345678901, "big": 123456789012345678901234567890,
                 "double": 1.5, "exponent": 2e3, "tiny": 4.9e-324, "zero": 0.0, "minusZero": -0.0,
                 "text": "caf\\u00e9 \\"q\\"", "empty": "", "yes": true, "no": false, "nothing": null,
                 "list": [1, 2.5, [], {}, [null, "x"]], "nested": {"a": {"b": {"c": [0]}}},
                 "repeated": 1, "other": 2, "repeated": [3]}
                """;
        JsonNode expected = JsonFiles.mapper().readTree(text);
        JsonNode actual = JsonFiles.parse(text);
        assertSameTree(expected, actual, "$");
        assertEquals(List.of("int", "negative", "long", "big", "double", "exponent", "tiny", "zero", "minusZero", "text", "empty",
                "yes", "no", "nothing", "list", "nested", "repeated", "other"), iterable(actual.fieldNames()), "a repeated key keeps its place");
        assertTrue(actual.get("repeated").isArray(), "a repeated key's last value wins");
    }

    @Test
    void topLevelValuesAndNothing() throws IOException {
        for (String text : List.of("[1, 2]", "3", "\"s\"", "null", "true", " {} ")) {
            assertSameTree(JsonFiles.mapper().readTree(text), JsonFiles.parse(text), text);
        }
        assertNull(JsonFiles.parse(""));
        assertNull(JsonFiles.parse("   "));
    }

    @Test
    void everyShippedJsonFileReadsTheSame() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SAMPLES)) {
            files = walk.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertTrue(files.size() > 50, "the shipped profiles, presets and plans: " + files.size());
        for (Path f : files) {
            String text = Files.readString(f);
            assertSameTree(JsonFiles.mapper().readTree(text), JsonFiles.readObject(f), f.toString());
        }
    }

    @Test
    void brokenFilesStillNameTheFileTheKeyAndTheProblem() throws IOException {
        Path truncated = tmp.resolve("truncated.json");
        Files.writeString(truncated, "{\"layertype_0\": {\"1\": [1.5, ");
        InputFileException e = assertThrows(InputFileException.class, () -> JsonFiles.readObject(truncated));
        assertTrue(e.getMessage().contains("truncated.json") && e.getMessage().contains("not valid JSON"), e.getMessage());

        Path deep = tmp.resolve("deep.json");
        Files.writeString(deep, "{\"a\": " + "[".repeat(300) + "]".repeat(300) + "}");
        e = assertThrows(InputFileException.class, () -> JsonFiles.readObject(deep));
        assertTrue(e.getMessage().contains("deep.json") && e.getMessage().contains("exceeds what a Galvatron file may hold"), e.getMessage());

        Path array = tmp.resolve("array.json");
        Files.writeString(array, "[1]");
        e = assertThrows(InputFileException.class, () -> JsonFiles.readObject(array));
        assertTrue(e.getMessage().contains("expected a JSON object at the top level, found an array"), e.getMessage());
    }

    @Test
    void atomicWritesLeaveNoTemporaryFileAndKeepPermissions() throws IOException {
        Path config = tmp.resolve("out/galvatron_config.json");
        JsonFiles.writeAtomically(config, "{\"pp_deg\": 1}");
        assertEquals("{\"pp_deg\": 1}", Files.readString(config));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config)),
                "a new file as an ordinary write makes it under umask 022");
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        for (int i = 0; i < 3; i++) JsonFiles.writeAtomically(config, "{\"pp_deg\": " + (i + 2) + "}");
        assertEquals("{\"pp_deg\": 4}", Files.readString(config));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config)),
                "a rewrite keeps the file's permissions");
        try (Stream<Path> left = Files.list(config.getParent())) {
            assertEquals(List.of(config), left.toList(), "nothing but the file");
        }
    }

    @Test
    void yamlTreesAsTheYamlMapperReadsThem() throws IOException {
        com.fasterxml.jackson.dataformat.yaml.YAMLMapper mapper = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
        com.fasterxml.jackson.dataformat.yaml.YAMLFactory factory = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory();
        List<String> texts = new java.util.ArrayList<>(List.of("""
                NUM_NODES: 1
                LR: 1.0e-4
                big: 123456789012345678901234567890
                long: 12345678901
                on: true
                off: no
                nothing: ~
                empty: ''
                anchor: &a {x: 1, y: [1, 2.5, null]}
                alias: *a
                list:
                  - a
                  - 2
                nested: {a: {b: {c: [0]}}}
                repeated: 1
                repeated: [3]
                """, "[1, 2]", "just text"));
        try (Stream<Path> walk = Files.walk(SAMPLES)) {
            for (Path f : walk.filter(p -> p.toString().endsWith(".yaml")).toList()) texts.add(Files.readString(f));
        }
        assertTrue(texts.size() > 10, "the shipped 3.0 YAMLs: " + texts.size());
        for (String text : texts) {
            try (var parser = factory.createParser(text)) {
                assertSameTree(mapper.readTree(text), JsonFiles.tree(parser), text.lines().findFirst().orElse(""));
            }
        }
    }
}
