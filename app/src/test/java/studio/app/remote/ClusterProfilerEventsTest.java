package studio.app.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's profile events as the studio reads them: progress from both profilers, findings kept for the user. */
class ClusterProfilerEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode event(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void progressAndFindings() throws Exception {
        List<Double> progress = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        // exactly the lines the runner prints (see ModelProfilerTest / HardwareProfilerTest)
        ClusterProfiler.watch(event("{\"event\":\"profile_progress\",\"what\":\"model\",\"key\":\"layernum[1]_bsz8_seq128\",\"ms\":22.0,"
                + "\"done\":1,\"of\":4}"), progress::add, findings);
        ClusterProfiler.watch(event("{\"event\":\"profile_progress\",\"line\":\"{\\\"event\\\": \\\"progress\\\", \\\"section\\\": \\\"p2p\\\", "
                + "\\\"done\\\": 2, \\\"of\\\": 5}\"}"), progress::add, findings);
        ClusterProfiler.watch(event("{\"event\":\"profile_progress\",\"line\":\"all-reduce bandwidths from nccl-tests\"}"), progress::add, findings);
        ClusterProfiler.watch(event("{\"event\":\"warning\",\"message\":\"bsz 8 seq 128: the deeper model was not slower\"}"), progress::add,
                findings);
        assertEquals(List.of(0.25, 0.4), progress);
        assertEquals(1, findings.size());
        assertTrue(findings.get(0).contains("not slower"));
    }
}
