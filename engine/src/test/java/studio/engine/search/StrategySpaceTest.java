package studio.engine.search;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import studio.engine.conformance.Conformance;
import studio.engine.cost.SpSpace;
import studio.engine.plan.LayerStrategy;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Strategy enumeration and batch sweep against Galvatron's own values. */
class StrategySpaceTest {
    @Test
    void everySearchSpaceAndSpSpaceMatchesGalvatron() {
        JsonNode all = Conformance.json("galvatron-tests/unit_values.json").get("generate_strategies_8gpus");
        int checked = 0;
        for (var e : all.properties()) {
            String[] k = e.getKey().split("\\|");
            SearchOptions o = SearchOptions.defaults().withSearchSpace(SearchSpace.parse(k[0]));
            List<LayerStrategy> got = StrategySpace.generate(8, o, SpSpace.parse(k[1])).strategies();
            assertEquals(e.getValue().get("count").asInt(), got.size(), e.getKey());
            assertEquals(e.getValue().get("strategies").asText(), got.stream().map(LayerStrategy::form).collect(Collectors.joining(", ")),
                    e.getKey());
            checked += 2;
        }
        assertEquals(48, checked);
    }

    @Test
    void presetsSetDisableFlagsForTheFileName() {
        var g = StrategySpace.generate(8, SearchOptions.defaults().withSearchSpace(SearchSpace.DP_TP), SpSpace.TP);
        assertEquals(true, g.disablePp() && g.disableSdp());
        var three = StrategySpace.generate(8, SearchOptions.defaults().withSearchSpace(SearchSpace.THREE_D), SpSpace.TP);
        assertEquals(true, three.disableSdp() && three.disableCkpt());
        var noConsec = StrategySpace.generate(8, SearchOptions.defaults().withDisableTpConsec(true), SpSpace.TP);
        assertEquals(0, noConsec.strategies().stream().filter(s -> s.tpConsecutive() == 0).count());
    }

    @Test
    void batchSweepVectors() {
        assertEquals(List.of(16, 24, 32, 40, 48, 56, 64), sweep(16, 64, 8));
        assertEquals(List.of(20, 30, 40, 50), sweep(20, 50, 10));
        assertEquals(List.of(15, 30, 45), sweep(15, 45, 15));
        assertEquals(List.of(32, 64, 96), sweep(32, 96, 32));
        assertEquals(List.of(16, 32, 48), sweep(16, 50, 16));
        assertEquals(8, sweep(4, 64, 8).get(0));
        assertEquals(List.of(20), StrategySpace.batchSizes(SearchOptions.defaults().withSettle(20, -1)));
        assertThrows(IllegalArgumentException.class, () -> sweep(64, 16, 8));
    }

    private static List<Integer> sweep(int min, int max, int scale) {
        SearchOptions d = SearchOptions.defaults();
        SearchOptions o = new SearchOptions(d.searchSpace(), false, false, false, false, false, false, 8, 8, min, max, scale, -1, -1,
                false, true, 1, SearchMode.GALVATRON_V2, null);
        return StrategySpace.batchSizes(o);
    }
}
