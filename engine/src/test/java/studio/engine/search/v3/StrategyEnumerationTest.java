package studio.engine.search.v3;

import org.junit.jupiter.api.Test;
import studio.engine.plan.DpType;
import studio.engine.plan.v3.HybridStrategy;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Galvatron 3.0's strategy lists (v3 spec §3.3) and batch sizes (§6.1), against the values its own tests assert. */
class StrategyEnumerationTest {
    private static SpaceLimits limits(boolean disableCp, boolean disableSp, boolean disableVocabTp) {
        return new SpaceLimits(false, false, disableSp, false, false, false, disableCp, disableVocabTp, false, 8, 8, 8, 8);
    }

    @Test
    void theEightGpuLayerListIsGalvatronsTestGenerateStrategies() {
        StrategyEnumeration e = StrategyEnumeration.of(8, 32, DpType.ZERO2, SpaceLimits.defaults());
        assertEquals(List.of("1-1-8", "1-1-8-c", "1-1-8f", "1-1-8f-c", "1-2*-4-sp", "1-2*-4-c-sp", "1-2*-4f-sp", "1-2*-4f-c-sp", "1-4*-2-sp",
                "1-4*-2-c-sp", "1-4*-2f-sp", "1-4*-2f-c-sp", "1-8*-1-sp", "1-8*-1-c-sp", "1-2*-4", "1-2*-4-c", "1-2*-4f", "1-2*-4f-c", "1-4*-2",
                "1-4*-2-c", "1-4*-2f", "1-4*-2f-c", "1-8*-1", "1-8*-1-c", "2-1-4", "2-1-4-c", "2-1-4f", "2-1-4f-c", "2-2*-2-sp", "2-2*-2-c-sp",
                "2-2*-2f-sp", "2-2*-2f-c-sp", "2-4*-1-sp", "2-4*-1-c-sp", "2-2*-2", "2-2*-2-c", "2-2*-2f", "2-2*-2f-c", "2-4*-1", "2-4*-1-c",
                "4-1-2", "4-1-2-c", "4-1-2f", "4-1-2f-c", "4-2*-1-sp", "4-2*-1-c-sp", "4-2*-1", "4-2*-1-c", "8-1-1", "8-1-1-c"),
                e.layers().stream().map(HybridStrategy::simpleString).toList());
        assertEquals(List.of("1-1-8", "1-1-8f", "1-2*-4-sp", "1-2*-4f-sp", "1-4*-2-sp", "1-4*-2f-sp", "1-8*-1-sp", "1-2*-4", "1-2*-4f", "1-4*-2",
                "1-4*-2f", "1-8*-1", "2-1-4", "2-1-4f", "2-2*-2-sp", "2-2*-2f-sp", "2-4*-1-sp", "2-2*-2", "2-2*-2f", "2-4*-1", "4-1-2", "4-1-2f",
                "4-2*-1-sp", "4-2*-1", "8-1-1"), e.vocabulary().stream().map(HybridStrategy::simpleString).toList());
        assertEquals(DpType.ZERO2, e.layers().get(0).dpType());
    }

    @Test
    void countsOfTheSpecTable() {
        assertCounts(StrategyEnumeration.of(4, 32, DpType.ZERO2, SpaceLimits.defaults()), 26, 13);
        assertCounts(StrategyEnumeration.of(16, 32, DpType.ZERO2, SpaceLimits.defaults()), 76, 38);
        assertCounts(StrategyEnumeration.of(8, 32, DpType.ZERO2, limits(false, false, false)), 88, 44);
        assertCounts(StrategyEnumeration.of(8, 32, DpType.ZERO2, limits(true, true, true)), 32, 7);
        // zero3 enumerates as zero2 (quirk Q-v3-7), ddp pairs DDP with ZeRO-3
        assertEquals(StrategyEnumeration.of(8, 32, DpType.ZERO2, SpaceLimits.defaults()), StrategyEnumeration.of(8, 32, DpType.ZERO3, SpaceLimits.defaults()));
        assertEquals(DpType.DDP, StrategyEnumeration.of(8, 32, DpType.DDP, SpaceLimits.defaults()).layers().get(0).dpType());
    }

    @Test
    void contextParallelVariantsSortAfterCpOneWithinTheirShape() {
        List<String> labels = StrategyEnumeration.of(8, 32, DpType.ZERO2, limits(false, false, false)).layers().stream().map(HybridStrategy::label).toList();
        assertEquals(List.of("1-1-8", "1-1-8-c", "1-1-8f", "1-1-8f-c", "1-1-4[cp2]"), labels.subList(0, 5));
        assertEquals("1-2*-4-sp", labels.get(labels.indexOf("1-1-1-c[cp8]") + 1));
    }

    @Test
    void aLayerCountBelowThePipelineDegreeDropsThoseDegrees() {
        assertEquals(2, StrategyEnumeration.of(8, 2, DpType.ZERO2, SpaceLimits.defaults()).layers().stream().mapToInt(HybridStrategy::pp).max().orElseThrow());
    }

    @Test
    void batchSizesFollowGalvatronsTestBszUtils() {
        assertEquals(List.of(16, 24, 32, 40, 48, 56, 64), new BatchRange(16, 64, 8, -1, -1).batchSizes());
        assertEquals(List.of(20, 30, 40, 50), new BatchRange(20, 50, 10, -1, -1).batchSizes());
        assertEquals(List.of(15, 30, 45), new BatchRange(15, 45, 15, -1, -1).batchSizes());
        assertEquals(List.of(32, 64, 96), new BatchRange(32, 96, 32, -1, -1).batchSizes());
        assertEquals(48, new BatchRange(16, 50, 16, -1, -1).batchSizes().get(2));
        assertEquals(8, new BatchRange(4, 64, 8, -1, -1).batchSizes().get(0));
        assertEquals(List.of(12, 20, 28), new BatchRange(12, 28, 8, -1, -1).batchSizes());
        assertEquals(List.of(20), new BatchRange(8, 64, 8, 20, -1).batchSizes());
        assertEquals(List.of(), new BatchRange(4, 4, 8, -1, -1).batchSizes());
    }

    private static void assertCounts(StrategyEnumeration e, int layers, int vocabulary) {
        assertEquals(layers, e.layers().size(), "layer strategies");
        assertEquals(vocabulary, e.vocabulary().size(), "embedding strategies");
    }
}
