package studio.app.remote;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's arguments of a training request: v2's by default, 3.0's Hydra launch for a project that targets 3.0. */
class TrainRequestTest {
    private static TrainRequest galvatron() {
        return new TrainRequest("galvatron", "/opt/galvatron/models/moe", "llama-7b", null, 32768, 8, 29500, "bf16", true, true, 20, 1e-5, null, null,
                null, 100, null, null, null);
    }

    @Test
    void aThreeZeroRequestNamesTheRuntimeAndTheYamlsModel() {
        List<String> v2 = galvatron().args(0, 2, "10.0.0.1", "/tmp/cfg.json");
        assertFalse(v2.contains("--runtime"), v2.toString());
        List<String> v3 = galvatron().onGalvatron3("mixtral-8x7b-e8k2").args(1, 2, "10.0.0.1", "/tmp/cfg.json");
        int at = v3.indexOf("--runtime");
        assertTrue(at >= 0, v3.toString());
        assertEquals("galvatron-v3", v3.get(at + 1));
        assertEquals("mixtral-8x7b-e8k2", v3.get(v3.indexOf("--model-size") + 1));
        assertEquals("/tmp/cfg.json", v3.get(v3.indexOf("--config") + 1));
        assertEquals("1", v3.get(v3.indexOf("--node-rank") + 1));
    }
}
