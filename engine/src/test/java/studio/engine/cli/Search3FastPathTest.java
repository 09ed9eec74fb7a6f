package studio.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code search <yaml> [overrides]} skips the command tree: its output, files and errors are the full command line's. */
class Search3FastPathTest {
    @Test
    void aPlainYamlSearchIsTheFullCommandLinesSearch(@TempDir Path tmp) throws Exception {
        assertTrue(StudioCli.isPlainYamlSearch(new String[] {"search", "a.yaml", "x.y=1", "+z=2"}));
        assertFalse(StudioCli.isPlainYamlSearch(new String[] {"search", "a.yaml", "--mode", "studio"}), "an option: the full command line");
        assertFalse(StudioCli.isPlainYamlSearch(new String[] {"search", "--model_size", "llama-7b"}));
        assertFalse(StudioCli.isPlainYamlSearch(new String[] {"evaluate", "a.yaml"}));

        Path fast = Files.createDirectories(tmp.resolve("fast"));
        Path full = Files.createDirectories(tmp.resolve("full"));
        CliRunner a = CliRunner.run("search", V3Cases.testYaml(fast).toString());
        CliRunner b = CliRunner.run("search", "--mode", "galvatron-v3", V3Cases.testYaml(full).toString());
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(0, b.exitCode(), b.err());
        assertEquals(b.out().replaceAll("Searched (\\d+) sub-searches in \\d+ ms", "Searched $1 sub-searches").replace(full.toString(), "DIR"),
                a.out().replaceAll("Searched (\\d+) sub-searches in \\d+ ms", "Searched $1 sub-searches").replace(fast.toString(), "DIR"));
        String name = "galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json";
        assertEquals(Files.readString(full.resolve(name)), Files.readString(fast.resolve(name)), "the same config, byte for byte");

        CliRunner missing = CliRunner.run("search", tmp.resolve("no-such.yaml").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("no-such.yaml") && !missing.err().contains("\tat "), missing.err());
    }
}
