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

    @Test
    void theFormGivesThePlansFamilyCheckpointsAndTheUniformPlanAsGlobalFlags() throws Exception {
        var ctx = studio.app.project.TestContexts.sample();
        var editor = new studio.app.project.PlanEditor();
        List<studio.engine.plan.LayerStrategy> uniform = java.util.Collections.nCopies(32, studio.engine.plan.LayerStrategy.parse("2-2*-2-c"));
        editor.open(ctx, new studio.engine.plan.ParallelPlan(uniform, List.of(16, 16), 64, 8, 2, false, false, ctx.settings().pipelineType(),
                ctx.settings().defaultDpType(), null), "uniform");
        TrainingOptionsForm form = new TrainingOptionsForm();
        form.modelDir.set("/opt/galvatron/models/llama_hf");
        form.hfCheckpoint.set("/data/hf/llama-7b");
        form.saveDir.set("/data/ckpt");
        form.saveInterval.set(50);
        form.load.set("/data/ckpt-old");
        form.resumeIteration.set("200");
        form.planAsFlags.set(true);
        List<String> a = form.request(editor, null).args(0, 1, "10.0.0.1", "/tmp/cfg.json");
        assertEquals("llama", a.get(a.indexOf("--model-type") + 1), "llama-7b is of the llama family");
        assertFalse(a.contains("--config"), "GLOBAL mode: no JSON config " + a);
        for (String[] kv : new String[][] {{"--pp-deg", "2"}, {"--global-tp-deg", "2"}, {"--sdp", "0"}, {"--chunks", "8"},
                {"--global-checkpoint", "1"}, {"--vocab-tp", "2"}, {"--global-batch", "64"}, {"--hf-checkpoint", "/data/hf/llama-7b"},
                {"--save", "/data/ckpt"}, {"--save-interval", "50"}, {"--load", "/data/ckpt-old"}, {"--resume-iteration", "200"}}) {
            assertEquals(kv[1], a.get(a.indexOf(kv[0]) + 1), kv[0] + " in " + a);
        }
        // a plan the flags cannot say is refused with the reason, never launched as another plan
        List<studio.engine.plan.LayerStrategy> mixed = new java.util.ArrayList<>(uniform);
        mixed.set(5, studio.engine.plan.LayerStrategy.parse("2-2*-2"));
        editor.open(ctx, new studio.engine.plan.ParallelPlan(mixed, List.of(16, 16), 64, 8, 2, false, false, ctx.settings().pipelineType(),
                ctx.settings().defaultDpType(), null), "mixed");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> form.request(editor, null));
        assertTrue(e.getMessage().contains("layer 5") && e.getMessage().contains("JSON config"), e.getMessage());
        form.planAsFlags.set(false);
        List<String> json = form.request(editor, null).args(0, 1, "10.0.0.1", "/tmp/cfg.json");
        assertEquals("/tmp/cfg.json", json.get(json.indexOf("--config") + 1));
    }
}
