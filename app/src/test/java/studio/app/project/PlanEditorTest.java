package studio.app.project;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The editor's view-model without a window: edits, evaluation, undo/redo, refusals, rule marking. */
class PlanEditorTest {
    PlanEditor editor;
    PlanningContext ctx;
    ParallelPlan searched;

    @BeforeEach
    void open() {
        ctx = TestContexts.sample();
        searched = TestContexts.loader().searchedPlan(ctx, 64);
        editor = new PlanEditor();
        editor.open(ctx, searched, "sample");
    }

    @Test
    void sampleOpensOnTheSearchedRunnablePlan() {
        assertEquals(2, editor.plan().pp());
        assertTrue(editor.estimate().violations().isEmpty(), editor.estimate().violations().toString());
        assertTrue(editor.estimate().throughput() > 14.1);
        assertFalse(editor.canUndoProperty().get());
    }

    @Test
    void everyEditReEvaluatesAndUndoRestores() {
        double before = editor.estimate().throughput();
        int memBefore = editor.estimate().memory().get(0).totalMb();
        assertTrue(editor.setCheckpoint(List.of(0, 1, 2, 3), true));
        assertTrue(editor.plan().layers().get(3).checkpoint());
        assertTrue(editor.estimate().memory().get(0).totalMb() < memBefore, "checkpointing frees activation memory");
        assertTrue(editor.estimate().throughput() < before, "and costs recompute time");
        assertTrue(editor.setTp(List.of(10), 4));
        assertEquals(4, editor.plan().layers().get(10).tp());
        assertEquals(1, editor.plan().layers().get(10).dp());
        editor.undo();
        assertEquals(2, editor.plan().layers().get(10).tp());
        editor.undo();
        assertEquals(searched, editor.plan());
        assertEquals(before, editor.estimate().throughput(), 1e-12);
        editor.redo();
        assertTrue(editor.plan().layers().get(0).checkpoint());
        assertTrue(editor.canRedoProperty().get());
    }

    @Test
    void splitsMoveAndStagesChange() {
        assertTrue(editor.moveSplit(0, 18));
        assertEquals(List.of(18, 14), editor.plan().pipelineDivision());
        assertFalse(editor.moveSplit(0, 32), "a stage keeps at least one layer");
        assertTrue(editor.setPp(4));
        assertEquals(List.of(8, 8, 8, 8), editor.plan().pipelineDivision());
        assertTrue(editor.plan().layers().stream().allMatch(l -> l.pp() == 4 && l.tp() * l.dp() == 2));
        assertFalse(editor.setPp(64));
        assertTrue(editor.messageProperty().get().startsWith("Not applied"));
    }

    @Test
    void brokenRulesAreMarkedOnTheirLayers() {
        assertTrue(editor.setTpConsecutive(List.of(5), false));
        LayerStrategy l5 = editor.plan().layers().get(5);
        assertEquals(0, l5.tpConsecutive());
        var marks = editor.violationsByLayer();
        assertTrue(marks.containsKey(5) && marks.get(5).get(0).startsWith("rule 9"), marks.toString());
        assertFalse(editor.clean());
        assertTrue(editor.setSettings(ctx.settings().withMemoryGb(16)));
        assertFalse(editor.estimate().fitsMemory());
        editor.undo();
        editor.undo();
        assertTrue(editor.clean());
    }

    @Test
    void anUnprofiledModelOnAnotherGpuIsEstimatedAndSaysSo() {
        PlanningContext h100 = TestContexts.loader().load(ClusterSettings.sample().withModel("llama-13b").withGpu("H100-80GB-SXM")
                .withMemoryGb(80));
        assertTrue(h100.isEstimated());
        assertTrue(h100.estimated().contains("H100-80GB-SXM"), h100.estimated());
        ParallelPlan p = TestContexts.loader().searchedPlan(h100, 64);
        editor.open(h100, p, "qwen on H100");
        assertEquals(40, editor.plan().layerCount());
        assertTrue(editor.estimate().throughput() > 0);
        assertFalse(ctx.isEstimated(), "the sample is measured");
    }

    @Test
    void vocabularyAndBatch() {
        assertTrue(editor.setVocab(1, false, true));
        assertTrue(editor.plan().embedSdp());
        assertEquals(1, editor.plan().vocabTp(), "the vocabulary TP set is the one applied");
        assertTrue(editor.setBatch(128, 64));
        assertEquals(128, editor.plan().globalBatch());
        assertFalse(editor.setBatch(0, 1));
    }
}
