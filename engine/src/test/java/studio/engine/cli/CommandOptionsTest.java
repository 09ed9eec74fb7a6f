package studio.engine.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options bound to fields: each field gets its typed value or its default, or keeps its own; a wrong name fails at once. */
class CommandOptionsTest {
    static final class Values implements Runnable {
        int count;
        int fallback = 7;
        Integer optional;
        double factor;
        boolean verbose;
        boolean quiet;
        String name;
        Path folder;
        List<String> rest = new ArrayList<>();

        @Override
        public void run() {
        }
    }

    private static CommandOptions options(Values v) {
        CommandOptions o = CommandOptions.command(v, "test", () -> new String[] {"test 1"}, "A test command.");
        o.option("--count").label("N").defaultValue("3").field(v, "count");
        o.option("--fallback").label("N").field(v, "fallback");
        o.option("--optional").label("N").field(v, "optional");
        o.option("--factor").label("X").defaultValue("1.5").field(v, "factor");
        o.option("--verbose").describe("Say more.").field(v, "verbose");
        o.option("--quiet").field(v, "quiet");
        o.option("--name").field(v, "name");
        o.option("--folder").field(v, "folder");
        o.positionals("REST", "The rest.", v, "rest");
        o.standardHelpOptions();
        return o;
    }

    @Test
    void valuesDefaultsAndUntouchedFields() {
        Values v = new Values();
        new picocli.CommandLine(options(v).spec()).parseArgs("--verbose", "--name", "x", "--folder", "out", "a", "b");
        assertEquals(3, v.count, "the default");
        assertEquals(7, v.fallback, "no default, not given: the field's own value");
        assertNull(v.optional);
        assertEquals(1.5, v.factor);
        assertTrue(v.verbose);
        assertFalse(v.quiet);
        assertEquals("x", v.name);
        assertEquals(Path.of("out"), v.folder);
        assertEquals(List.of("a", "b"), v.rest);

        Values w = new Values();
        new picocli.CommandLine(options(w).spec()).parseArgs("--count=9", "--fallback", "2", "--optional", "5", "--factor", "0.25");
        assertEquals(List.of(9, 2, 5), List.of(w.count, w.fallback, w.optional));
        assertEquals(0.25, w.factor);
    }

    @Test
    void aBadValueIsAUsageErrorNamingTheOption() {
        Values v = new Values();
        var e = assertThrows(picocli.CommandLine.ParameterException.class,
                () -> new picocli.CommandLine(options(v).spec()).parseArgs("--count", "many"));
        assertTrue(e.getMessage().contains("--count") && e.getMessage().contains("many"), e.getMessage());
    }

    @Test
    void aWrongFieldNameFailsAsTheCommandLineIsBuilt() {
        Values v = new Values();
        CommandOptions o = CommandOptions.command(v, "test", () -> new String[] {"test 1"}, "A test command.");
        var e = assertThrows(IllegalStateException.class, () -> o.option("--count").field(v, "cuont"));
        assertTrue(e.getMessage().contains("cuont"), e.getMessage());
    }
}
