package studio.engine.plan;

import org.junit.jupiter.api.Test;
import studio.engine.plan.v3.HybridStrategy;
import studio.engine.profile.ForwardTime;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The records whose equals and hashCode are written out (their generated ones cost every short run its method-handle
 * bootstrap) keep a record's meaning: equal exactly when every component is, and equal records hash alike.
 */
class RecordEqualityTest {
    @Test
    void layerStrategyIsEqualExactlyWhenEveryComponentIs() {
        LayerStrategy base = new LayerStrategy(2, 4, 2, 1, 0, 0, false);
        assertEqualRecords(base, new LayerStrategy(2, 4, 2, 1, 0, 0, false));
        assertDiffer(base, List.of(new LayerStrategy(1, 4, 2, 1, 0, 0, false), new LayerStrategy(2, 2, 2, 1, 0, 0, false),
                new LayerStrategy(2, 4, 1, 1, 0, 0, false), new LayerStrategy(2, 4, 2, 0, 0, 0, false), new LayerStrategy(2, 4, 2, 1, 1, 0, false),
                new LayerStrategy(2, 4, 2, 1, 0, 1, false), new LayerStrategy(2, 4, 2, 1, 0, 0, true)));
    }

    @Test
    void hybridStrategyIsEqualExactlyWhenEveryComponentIs() {
        HybridStrategy base = new HybridStrategy(2, 1, 1, 1, 2, DpType.ZERO2, false, 1, 1);
        assertEqualRecords(base, new HybridStrategy(2, 1, 1, 1, 2, DpType.ZERO2, false, 1, 1));
        assertDiffer(base, List.of(new HybridStrategy(1, 1, 1, 1, 2, DpType.ZERO2, false, 1, 1), new HybridStrategy(2, 2, 1, 1, 2, DpType.ZERO2, false, 1, 1),
                new HybridStrategy(2, 1, 2, 1, 2, DpType.ZERO2, false, 1, 1), new HybridStrategy(2, 1, 1, 2, 2, DpType.ZERO2, false, 1, 1),
                new HybridStrategy(2, 1, 1, 1, 4, DpType.ZERO2, false, 1, 1), new HybridStrategy(2, 1, 1, 1, 2, DpType.ZERO3, false, 1, 1),
                new HybridStrategy(2, 1, 1, 1, 2, DpType.ZERO2, true, 1, 1), new HybridStrategy(2, 1, 1, 1, 2, DpType.ZERO2, false, 2, 1),
                new HybridStrategy(2, 1, 1, 1, 2, DpType.ZERO2, false, 1, 2)));
    }

    @Test
    void forwardTimeIsEqualExactlyWhenEveryComponentIsAndSaysItsUnits() {
        ForwardTime base = new ForwardTime(true, 0, 1.5, 0.25);
        assertEqualRecords(base, ForwardTime.linear(1.5, 0.25));
        assertDiffer(base, List.of(new ForwardTime(false, 0, 1.5, 0.25), new ForwardTime(true, 1, 1.5, 0.25), new ForwardTime(true, 0, 1.25, 0.25),
                new ForwardTime(true, 0, 1.5, 0.5)));
        assertEquals(ForwardTime.perSample(-0.0), ForwardTime.perSample(-0.0));
        assertNotEquals(ForwardTime.perSample(0.0), ForwardTime.perSample(-0.0), "as a record compares doubles");
        assertEquals("1.5 ms a sample + 0.25 ms", base.toString());
        assertEquals("26.0 ms a sample", ForwardTime.perSample(26).toString());
    }

    private static void assertEqualRecords(Object a, Object b) {
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    private static void assertDiffer(Object base, List<?> variants) {
        for (Object v : variants) assertNotEquals(base, v, v.toString());
    }
}
