package studio.engine.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hydra's compose as Galvatron 3.0 uses it (v3 spec §2.0): overrides with struct-mode checks, then interpolation. */
class HydraConfigTest {
    @TempDir Path tmp;

    private Path yaml() throws IOException {
        Path f = tmp.resolve("search_dist.yaml");
        Files.writeString(f, """
                NUM_NODES: 1
                SEQ_LENGTH: 8192
                LOG_DIR: ./logs/search_engine
                search_engine:
                  common_train_info:
                    seq_length: ${SEQ_LENGTH}
                  hardware_info:
                    num_nodes: ${NUM_NODES}
                  options_info:
                    log_dir: ${LOG_DIR}
                    tag: "run-${NUM_NODES}n-${search_engine.common_train_info.seq_length}"
                """);
        return f;
    }

    @Test
    void interpolationsResolveAfterOverridesAndKeepTheirType() throws IOException {
        ObjectNode c = HydraConfig.compose(yaml(), List.of("SEQ_LENGTH=4096", "NUM_NODES=2"));
        assertEquals(4096, c.at("/search_engine/common_train_info/seq_length").asInt());
        assertTrue(c.at("/search_engine/common_train_info/seq_length").isIntegralNumber());
        assertEquals("run-2n-4096", c.at("/search_engine/options_info/tag").asText());
        assertEquals("./logs/search_engine", c.at("/search_engine/options_info/log_dir").asText());
    }

    @Test
    void overridingTheTargetDirectlyReplacesTheInterpolation() throws IOException {
        ObjectNode c = HydraConfig.compose(yaml(), List.of("search_engine.common_train_info.seq_length=2048", "SEQ_LENGTH=4096"));
        assertEquals(2048, c.at("/search_engine/common_train_info/seq_length").asInt());
    }

    @Test
    void theFourOverrideFormsFollowStructMode() throws IOException {
        Path f = yaml();
        InputFileException absent = assertThrows(InputFileException.class,
                () -> HydraConfig.compose(f, List.of("search_engine.batch_size_info.settle_chunk=8")));
        assertTrue(absent.getMessage().contains("To append to your config use +search_engine.batch_size_info.settle_chunk=8"), absent.getMessage());
        assertTrue(absent.getMessage().startsWith(f.toString()), absent.getMessage());
        InputFileException present = assertThrows(InputFileException.class, () -> HydraConfig.compose(f, List.of("+SEQ_LENGTH=1")));
        assertTrue(present.getMessage().contains("An item is already at 'SEQ_LENGTH'"), present.getMessage());
        ObjectNode c = HydraConfig.compose(f, List.of("+search_engine.batch_size_info.settle_chunk=8", "++SEQ_LENGTH=1024",
                "++search_engine.options_info.new_key=x", "~search_engine.options_info.tag"));
        assertEquals(8, c.at("/search_engine/batch_size_info/settle_chunk").asInt());
        assertEquals(1024, c.at("/search_engine/common_train_info/seq_length").asInt());
        assertEquals("x", c.at("/search_engine/options_info/new_key").asText());
        assertFalse(c.at("/search_engine/options_info").has("tag"));
    }

    @Test
    void valuesParseAsHydraDoes() {
        assertTrue(HydraConfig.parseValue("null").isNull());
        assertTrue(HydraConfig.parseValue("TRUE").asBoolean());
        assertFalse(HydraConfig.parseValue("False").asBoolean());
        assertEquals(12, HydraConfig.parseValue("12").asInt());
        assertEquals(1000.0, HydraConfig.parseValue("1e3").asDouble());
        assertEquals(Double.POSITIVE_INFINITY, HydraConfig.parseValue("inf").asDouble());
        assertEquals("12", HydraConfig.parseValue("'12'").asText());
        assertTrue(HydraConfig.parseValue("'12'").isTextual());
        assertEquals(2, HydraConfig.parseValue("[1, b]").size());
        assertEquals("b", HydraConfig.parseValue("[1, b]").get(1).asText());
        assertEquals("zero2", HydraConfig.parseValue("zero2").asText());
        assertEquals("./logs/x", HydraConfig.parseValue("./logs/x").asText());
    }

    @Test
    void aMissingReferenceOrACycleNamesTheKey() throws IOException {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, "a: ${nowhere.key}\nb: ${c}\nc: ${b}\n");
        InputFileException missing = assertThrows(InputFileException.class, () -> HydraConfig.compose(f, List.of("~b", "~c")));
        assertTrue(missing.getMessage().contains("key 'a'") && missing.getMessage().contains("'nowhere'"), missing.getMessage());
        InputFileException cycle = assertThrows(InputFileException.class, () -> HydraConfig.compose(f, List.of("a=1")));
        assertTrue(cycle.getMessage().contains("refers back to itself"), cycle.getMessage());
    }

    @Test
    void aLegacyDashDashArgumentIsNotAnOverride() throws IOException {
        Path f = yaml();
        InputFileException e = assertThrows(InputFileException.class, () -> HydraConfig.compose(f, List.of("--num_nodes")));
        assertTrue(e.getMessage().contains("Hydra override"), e.getMessage());
    }
}
