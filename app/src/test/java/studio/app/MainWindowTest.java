package studio.app;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.CheckBox;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real editor window under the headless Monocle toolkit, on the shipped sample. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    @TempDir
    static Path appDir;
    PlanEditor editor;
    MainWindow window;
    Scene scene;

    /** The window stops its background writes before the test's folders are removed. */
    @org.junit.jupiter.api.AfterEach
    void closeWindow() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.closed()).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Start
    void start(Stage stage) {
        editor = new PlanEditor();
        window = new MainWindow(editor, TestContexts.loader(), new ProjectStore(appDir));
        scene = window.newScene();
        stage.setScene(scene);
        stage.show();
    }

    private void openSample() throws Exception {
        var task = WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS);
        task.get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private CheckBox checkBox(FxRobot robot, String column, int row) {
        for (var n : robot.lookup(".table-cell").queryAll()) {
            if (n instanceof TableCell<?, ?> c && c.getTableColumn() != null && column.equals(c.getTableColumn().getId())
                    && c.getIndex() == row && c.getGraphic() instanceof CheckBox cb) {
                return cb;
            }
        }
        throw new AssertionError("no checkbox in " + column + " row " + row);
    }

    @Test
    void editsDragsUndoExportAndBrokenRules(FxRobot robot, @TempDir Path out) throws Exception {
        openSample();
        ParallelPlan searched = editor.plan();
        assertEquals(2, searched.pp(), "the sample opens on a searched 2-stage plan");
        assertEquals(searched.layerCount(), window.grid().table().getItems().size());
        assertTrue(robot.lookup("#throughputLabel").queryLabeled().getText().contains("samples/s"));

        // edit a cell: checkpointing layer 0 changes the memory chart
        double stage0 = window.charts().data().stageMemoryMb(0);
        robot.clickOn(checkBox(robot, "ckptColumn", 0));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(editor.plan().layers().get(0).checkpoint());
        assertTrue(window.charts().data().stageMemoryMb(0) < stage0, "chart values follow the edit");

        // drag the split handle to the left: layers move to stage 1
        robot.drag("#split-0").dropBy(-3 * (window.root().getWidth() * 0.55 / 40), 0);
        WaitForAsyncUtils.waitForFxEvents();
        assertNotEquals(List.of(16, 16), editor.plan().pipelineDivision(), "pp_division follows the drag");
        assertEquals(32, editor.plan().pipelineDivision().stream().mapToInt(Integer::intValue).sum());

        // undo twice with the keyboard: back to the searched plan
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(searched, editor.plan());
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z).release(KeyCode.Z, KeyCode.SHIFT, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(editor.plan().layers().get(0).checkpoint(), "redo");

        // export writes exactly Galvatron's JSON under Galvatron's name
        MainWindow.Export ex = WaitForAsyncUtils.asyncFx(() -> window.exportTo(out)).get(10, TimeUnit.SECONDS);
        assertEquals("galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json", ex.file().getFileName().toString());
        assertEquals(GalvatronConfig.toJson(editor.plan()), Files.readString(ex.file()));
        assertTrue(ex.warnings().isEmpty(), ex.warnings().toString());

        // a broken rule is shown on its row, and export warns
        LayerStrategy l3 = editor.plan().layers().get(3);
        assertTrue(l3.tp() > 1 && l3.dp() > 1, "layer 3 has TP groups inside a stage: " + l3.form());
        robot.clickOn(checkBox(robot, "consecColumn", 3));
        WaitForAsyncUtils.waitForFxEvents();
        TableRow<?> row3 = null;
        for (var n : robot.lookup(".table-row-cell").queryAll()) {
            if (n instanceof TableRow<?> r && r.getIndex() == 3) row3 = r;
        }
        assertTrue(row3 != null && row3.getStyleClass().contains("broken"), "row 3 marked");
        assertTrue(row3.getTooltip().getText().contains("rule 9"), row3.getTooltip().getText());
        MainWindow.Export warned = WaitForAsyncUtils.asyncFx(() -> window.exportTo(out)).get(10, TimeUnit.SECONDS);
        assertFalse(warned.warnings().isEmpty());
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();

        // the screenshot kept in assets/screenshots/editor.png comes from here
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        var image = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", shots.resolve("editor.png").toFile());
        assertTrue(Files.size(shots.resolve("editor.png")) > 10_000);

        // a recovery file follows the edits (this instance's own, in the recovery folder)
        WaitForAsyncUtils.asyncFx(() -> editor.replacePlan(searched, "back to the searched plan, as an edit")).get(10, TimeUnit.SECONDS);
        // the autosave runs a moment after an edit: wait for it rather than for a fixed time
        Path recovery = new ProjectStore(appDir).recoveryFile(null);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Files.exists(recovery));
        assertTrue(Files.exists(recovery), "recovery written");
    }

    @Test
    void eightyLayerEditRedrawTime(FxRobot robot) throws Exception {
        openSample();
        var ctx = TestContexts.withLayers(80);
        List<LayerStrategy> ls = new ArrayList<>(Collections.nCopies(80, LayerStrategy.parse("2-2*-2")));
        ParallelPlan p = new ParallelPlan(ls, List.of(40, 40), 64, 32, 2, false, false, ctx.settings().pipelineType(),
                ctx.settings().defaultDpType(), null);
        WaitForAsyncUtils.asyncFx(() -> editor.open(ctx, p, "80 layers")).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        long[] nanos = WaitForAsyncUtils.asyncFx(() -> {
            long[] t = new long[40];
            long edit = 0;
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                editor.setCheckpoint(List.of(i % 80), i % 2 == 0);
                long t1 = System.nanoTime();
                window.root().applyCss();
                window.root().layout();
                t[i] = System.nanoTime() - t0;
                edit += t1 - t0;
            }
            System.out.printf("[editor] of which the edit and its listeners: mean %.2f ms%n", edit / 40 / 1e6);
            return t;
        }).get(30, TimeUnit.SECONDS);
        long[] chartNanos = WaitForAsyncUtils.asyncFx(() -> {
            long[] t = new long[20];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                window.charts().data().update(editor.estimate());
                t[i] = System.nanoTime() - t0;
            }
            return t;
        }).get(30, TimeUnit.SECONDS);
        java.util.Arrays.sort(chartNanos);
        System.out.printf("[editor] charts alone: median %.2f ms%n", chartNanos[10] / 1e6);
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        double medianMs = sorted[sorted.length / 2] / 1e6;
        double p90Ms = sorted[(int) (sorted.length * 0.9)] / 1e6;
        System.out.printf("[editor] 80-layer edit -> evaluate -> charts, grid, bar redrawn: median %.2f ms, p90 %.2f ms (evaluation %.3f ms)%n",
                medianMs, p90Ms, editor.lastEvaluationNanos() / 1e6);
        assertEquals(80, window.grid().table().getItems().size());
    }
}
