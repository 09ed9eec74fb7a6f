package studio.runner.events;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Galvatron's log lines (profiler-runtime spec §3.3) into events. */
class GalvatronLogParserTest {
    @Test
    void iterationMemoryAnchorsAndErrors() {
        GalvatronLogParser p = new GalvatronLogParser(64, 2048);
        assertEquals("config", p.accept("Galvatron parallel config mode: [JSON config mode]").get(0).json().get("phase").asText());
        assertEquals("started", p.accept("Start training...").get(0).name());
        List<Event> it = p.accept("| Iteration:      7 | Consumed samples:          448 | Elapsed time per iteration (ms): 5123.4 | "
                + "Learning rate: 3.500000e-07 | Loss: 1.034567e+01 | grad norm: 12.34 |");
        var e = it.get(0).json();
        assertEquals("iteration", e.get("event").asText());
        assertEquals(7, e.get("iteration").asInt());
        assertEquals(448, e.get("consumed_samples").asInt());
        assertEquals(10.34567, e.get("loss").asDouble(), 1e-9);
        assertEquals(64 / 5.1234, e.get("samples_per_s").asDouble(), 1e-9);
        assertEquals(64 / 5.1234 * 2048, e.get("tokens_per_s").asDouble(), 1e-6);
        assertTrue(p.accept("After Backward [Allocated]").isEmpty());
        var mem = p.accept("\tMax memory: 12345.67 MB\tCurrent memory : 6789.01 MB").get(0).json();
        assertEquals("After Backward [Allocated]", mem.get("stage").asText());
        assertEquals(12345.67, mem.get("max_mb").asDouble(), 1e-9);
        assertEquals(1.2345, p.accept("Average iteration time is: 1.2345 s").get(0).json().get("seconds").asDouble(), 1e-12);
        var oom = p.accept("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB").get(0).json();
        assertEquals("cuda_out_of_memory", oom.get("kind").asText());
        assertTrue(oom.get("context").size() > 3, "the lines that show it");
        assertEquals("nccl_or_network", GalvatronLogParser.classify("[rank3]: Watchdog caught collective operation timeout: WorkNCCL"));
        assertEquals("galvatron_config", GalvatronLogParser.classify("KeyError: 'cp_sizes_enc'"));
        assertEquals("process_failed", GalvatronLogParser.classify("  exitcode  : -9 (pid: 1234)"));
        assertEquals(null, GalvatronLogParser.classify("Creating Model..."));
    }

    /** A run's log in Galvatron's exact format, through the parser, to what calibration measures of it. */
    @Test
    void aRunsLogGivesCalibrationItsMeasurement() {
        GalvatronLogParser p = new GalvatronLogParser(64, 2048);
        List<com.fasterxml.jackson.databind.JsonNode> events = new java.util.ArrayList<>();
        StringBuilder log = new StringBuilder("Galvatron parallel config mode: [JSON config mode]\nCreating Model...\nStart training...\n");
        double[] ms = {9100.2, 5400.0, 5200.8, 5150.1, 5101.5, 5098.3, 5120.9, 5099.7};
        for (int i = 0; i < ms.length; i++) {
            log.append(String.format(java.util.Locale.ROOT, "| Iteration: %6d | Consumed samples: %12d | Elapsed time per iteration (ms): %.1f | "
                    + "Learning rate: 1.250000e-06 | Loss: %.6e | grad norm: 3.21 |%n", i + 1, 64 * (i + 1), ms[i], 10.5 - 0.1 * i));
            if (i == 2) log.append("After optimizer_step [Allocated]\n\tMax memory: 30123.45 MB\tCurrent memory : 14000.00 MB\n");
        }
        for (String line : log.toString().split("\n")) for (Event e : p.accept(line)) events.add(e.json());
        var m = studio.engine.calibration.Observation.measured(events);
        assertEquals((5099.7 + 5101.5) / 2000, m.iterationS(), 1e-9, "the median of iterations 5 to 8");
        assertEquals(30123.45, m.peakMb(), 1e-9);
        var observation = new studio.engine.calibration.Observation("run", new studio.engine.calibration.TimeTerms(3.5, 0.7, 0.3, 0.1),
                m.iterationS(), 28000, m.peakMb());
        var f = studio.engine.calibration.CorrectionFactors.fit(List.of(observation));
        assertEquals(m.iterationS() / 4.6, f.compute().value(), 1e-12);
        assertEquals(30123.45 / 28000, f.memory().value(), 1e-12);
    }
}
