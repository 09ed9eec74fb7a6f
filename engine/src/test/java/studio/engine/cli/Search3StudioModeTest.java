package studio.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.io.JsonFiles;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --mode studio} on a 3.0 YAML: where Galvatron 3.0 dies on inputs that still allow a search, a result, with
 * each departure from 3.0 said; where it does not, 3.0's own plan when the 3.0 runtime accepts it.
 */
class Search3StudioModeTest {
    @TempDir Path tmp;

    private JsonNode studio(String... overrides) throws Exception {
        List<String> a = new ArrayList<>(List.of("search", "--mode", "studio", "--json", V3Cases.shippedYaml().toString(),
                "LOG_DIR=" + tmp.resolve("logs"), "+search_engine.options_info.output_config_path=" + tmp));
        a.addAll(Arrays.asList(overrides));
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        return JsonFiles.mapper().readTree(r.out());
    }

    @Test
    void theShippedYamlRunsWithItsDeparturesSaid() throws Exception {
        JsonNode j = studio();
        assertEquals("studio", j.get("mode").asText());
        String departures = j.get("departures").toString();
        assertTrue(departures.contains("timed with static") && departures.contains("memory scaled") && departures.contains("scaled from the profiled length by the layer's FLOPs"), departures);
        assertTrue(j.get("throughput_samples_per_s").asDouble() > 0);
        assertEquals(0, j.get("runtime_rules_broken").size());
    }

    @Test
    void whereGalvatronRunsTheStudioKeepsItsRunnablePlan() throws Exception {
        JsonNode j = studio("SEQ_LENGTH=2048", "MEMORY_CONSTRAINT=36", "search_engine.profiling_info.time_profile_mode=static");
        assertEquals(16.53314837203407, j.get("throughput_samples_per_s").asDouble(), 1e-9, "S01's winner is runnable");
        assertEquals(0, j.get("departures").size());
    }

    @Test
    void coarseAtSixteenGigabytesAndAnSpOnlyProfileWithoutSpBothSearch() throws Exception {
        JsonNode coarse = studio("SEQ_LENGTH=2048", "MEMORY_CONSTRAINT=16", "search_engine.options_info.fine_grained_mode=0",
                "search_engine.profiling_info.time_profile_mode=static");
        assertTrue(coarse.get("departures").toString().contains("mem_sub_cache"), coarse.toString());
        assertTrue(coarse.get("stage_memory_mb").get(0).asInt() <= 16 * 1024);
        JsonNode noSp = studio("SEQ_LENGTH=2048", "search_engine.common_train_info.sequence_parallel=false",
                "search_engine.profiling_info.time_profile_mode=static");
        assertTrue(noSp.get("departures").toString().contains("sequence_parallel=true"), noSp.toString());
    }
}
