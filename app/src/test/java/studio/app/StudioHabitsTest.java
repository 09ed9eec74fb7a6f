package studio.app;

import javafx.stage.Stage;
import javafx.scene.control.ComboBox;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.compare.NamedPlan;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio's habits under the real window: exports, compare tables, explain, bulk edits, shortcuts, file names. */
class StudioHabitsTest extends StudioWindow {
    @Start
    void start(Stage stage) {
        startWindow(stage);
    }

    @Test
    void exportedChartsCarryTheNameGivenAndThePlanInTheirCaption(@TempDir Path out) throws Exception {
        openSample();
        List<Path> files = WaitForAsyncUtils.asyncFx(() -> window.exportCharts(out, "my-plan")).get(20, TimeUnit.SECONDS);
        assertEquals(8, files.size());
        assertTrue(files.stream().allMatch(f -> f.getFileName().toString().startsWith("my-plan-")), files.toString());
        String svg = Files.readString(out.resolve("my-plan-memory-per-stage.svg"));
        assertTrue(svg.contains("llama-7b") && svg.contains("1 x 8") && svg.contains("36 GB") && svg.contains("samples/s"),
                "the caption names the plan");
        // the caption is for the exported image only
        assertTrue(window.charts().memoryChart().getSubtitleCount() <= 1);
    }

    @Test
    void compareShowsEveryPlanAndAStageTable(FxRobot robot) throws Exception {
        openSample();
        ParallelPlan p = editor.plan();
        WaitForAsyncUtils.asyncFx(() -> {
            for (int i = 0; i < 4; i++) {
                List<LayerStrategy> ls = new ArrayList<>(p.layers());
                ls.set(i, ls.get(i).withCheckpoint(!ls.get(i).checkpoint()));
                window.compareView().add(new NamedPlan("plan " + i, p.withLayers(ls)));
            }
            window.compareView().list().getSelectionModel().selectAll();
            window.compareView().compareSelected();
        }).get(20, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(4, window.compareView().summaryTable().getItems().size());
        assertTrue(window.compareView().summaryTable().getPrefHeight() >= 30 + 26 * 4, "room for every plan's row");
        assertEquals(p.pp(), window.compareView().stageTable().getItems().size());
        assertEquals(1 + 2 * 4, window.compareView().stageTable().getColumns().size(), "memory and busy time of each plan");
    }

    @Test
    void explainSaysWhyAlternativesAreMissingAndWhichRuleTheyBreak() throws Exception {
        openSample();
        WaitForAsyncUtils.asyncFx(() -> window.explainView().show(0)).get(20, TimeUnit.SECONDS);
        String coverage = window.explainView().coverageText();
        assertTrue(coverage.contains("tried") && coverage.contains("listed"), coverage);
        for (var a : window.explainView().current().alternatives()) {
            if (!a.runnable()) assertTrue(a.brokenRules().get(0).startsWith("rule "), a.brokenRules().toString());
        }
    }

    @Test
    void aTpDegreeGoesToEverySelectedLayerAndEveryTabHasAShortcut(FxRobot robot) throws Exception {
        openSample();
        WaitForAsyncUtils.asyncFx(() -> window.grid().table().getSelectionModel().selectRange(0, 4)).get(10, TimeUnit.SECONDS);
        @SuppressWarnings("unchecked")
        ComboBox<Integer> bulk = (ComboBox<Integer>) robot.lookup("#bulkTpChoice").query();
        WaitForAsyncUtils.asyncFx(() -> bulk.setValue(1)).get(10, TimeUnit.SECONDS);
        robot.clickOn("#bulkTpApply");
        WaitForAsyncUtils.waitForFxEvents();
        for (int l = 0; l < 4; l++) assertEquals(1, editor.plan().layers().get(l).tp(), "layer " + l);
        for (int t = 0; t < 7; t++) {
            robot.press(KeyCode.CONTROL, KeyCode.getKeyCode(String.valueOf(t + 1))).release(KeyCode.getKeyCode(String.valueOf(t + 1)), KeyCode.CONTROL);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(t, window.tabs().getSelectionModel().getSelectedIndex(), "Ctrl+" + (t + 1));
        }
        assertEquals("plan.gsp.json", MainWindow.withProjectExtension(Path.of("plan")).getFileName().toString());
        assertEquals("plan.gsp.json", MainWindow.withProjectExtension(Path.of("plan.gsp.json")).getFileName().toString());
        assertTrue(window.suggestedName().startsWith("llama-7b-1x8-36GB"), window.suggestedName());
    }
}
