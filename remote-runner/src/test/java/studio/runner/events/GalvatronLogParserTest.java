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
}
