package studio.engine.protocol;

import org.junit.jupiter.api.Test;
import studio.engine.io.JsonFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunnerEventTest {
    @Test
    void everyKindReadsBackFromItsWireNameAndUnknownOnesAreOutput() throws Exception {
        for (RunnerEvent e : RunnerEvent.values()) {
            assertEquals(e, RunnerEvent.parse(e.wireName()));
            assertEquals(e, RunnerEvent.of(JsonFiles.mapper().readTree("{\"event\": \"" + e.wireName() + "\"}")));
        }
        assertEquals("profile_finished", RunnerEvent.PROFILE_FINISHED.wireName());
        assertEquals(RunnerEvent.OUTPUT, RunnerEvent.parse("from_a_newer_runner"));
        assertEquals(RunnerEvent.OUTPUT, RunnerEvent.of(JsonFiles.mapper().readTree("{\"line\": \"plain text\"}")));
        assertTrue(RunnerEvent.FINISHED.isEnd() && RunnerEvent.FAILED.isEnd() && RunnerEvent.STOPPED.isEnd() && !RunnerEvent.RUNNING.isEnd());
    }
}
