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
    void theSampleOpensOnASearchedPlan(FxRobot robot) throws Exception {
        openSample();
        ParallelPlan searched = editor.plan();
        assertEquals(2, searched.pp(), "the sample opens on a searched 2-stage plan");
        assertEquals(searched.layerCount(), window.grid().table().getItems().size());
        assertTrue(robot.lookup("#throughputLabel").queryLabeled().getText().contains("samples/s"));
    }

    @Test
    void aCellEditChangesTheMemoryChart(FxRobot robot) throws Exception {
        openSample();
        // edit a cell: checkpointing layer 0 changes the memory chart
        double stage0 = window.charts().data().stageMemoryMb(0);
        checkpointLayerZero(robot);
        assertTrue(editor.plan().layers().get(0).checkpoint());
        assertTrue(window.charts().data().stageMemoryMb(0) < stage0, "chart values follow the edit");
    }

    /** A user's edit: layer 0's checkpoint box clicked. */
    private void checkpointLayerZero(FxRobot robot) {
        robot.clickOn(checkBox(robot, "ckptColumn", 0));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void dragTheSplitLeft(FxRobot robot) {
        robot.drag("#split-0").dropBy(-3 * (window.root().getWidth() * 0.55 / 40), 0);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void draggingTheSplitMovesLayers(FxRobot robot) throws Exception {
        openSample();
        // drag the split handle to the left: layers move to stage 1
        dragTheSplitLeft(robot);
        assertNotEquals(List.of(16, 16), editor.plan().pipelineDivision(), "pp_division follows the drag");
        assertEquals(32, editor.plan().pipelineDivision().stream().mapToInt(Integer::intValue).sum());
        // the stage's label and its tooltip (kept between edits, its text updated) follow the new division
        int first = editor.plan().pipelineDivision().get(0);
        javafx.scene.control.Label stage0 = robot.lookup("#stageLabel-0").queryAs(javafx.scene.control.Label.class);
        assertTrue(stage0.getText().startsWith("stage 0: " + first + " layers"), stage0.getText());
        assertTrue(stage0.getTooltip().getText().startsWith("Stage 0: " + first + " layers;"), stage0.getTooltip().getText());
    }

    @Test
    void undoAndRedoFromTheKeyboard(FxRobot robot) throws Exception {
        openSample();
        ParallelPlan searched = editor.plan();
        checkpointLayerZero(robot);
        dragTheSplitLeft(robot);
        // undo twice with the keyboard: back to the searched plan
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(searched, editor.plan());
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z).release(KeyCode.Z, KeyCode.SHIFT, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(editor.plan().layers().get(0).checkpoint(), "redo");
    }

    @Test
    void exportWritesGalvatronsJsonUnderGalvatronsName(FxRobot robot, @TempDir Path out) throws Exception {
        openSample();
        checkpointLayerZero(robot);
        // export writes exactly Galvatron's JSON under Galvatron's name
        MainWindow.Export ex = WaitForAsyncUtils.asyncFx(() -> window.exportTo(out)).get(10, TimeUnit.SECONDS);
        assertEquals("galvatron_config_llama-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json", ex.file().getFileName().toString());
        assertEquals(GalvatronConfig.toJson(editor.plan()), Files.readString(ex.file()));
        assertTrue(ex.warnings().isEmpty(), ex.warnings().toString());
    }

    @Test
    void aBrokenRuleIsShownOnItsRowAndExportWarns(FxRobot robot, @TempDir Path out) throws Exception {
        openSample();
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
    }

    @Test
    void theEditorScreenshot(FxRobot robot) throws Exception {
        openSample();
        checkpointLayerZero(robot);
        // the screenshot kept in assets/screenshots/editor.png comes from here
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        var image = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", shots.resolve("editor.png").toFile());
        assertTrue(Files.size(shots.resolve("editor.png")) > 10_000);
    }

    @Test
    void aRecoveryFileFollowsTheEdits(FxRobot robot) throws Exception {
        openSample();
        ParallelPlan searched = editor.plan();
        checkpointLayerZero(robot);
        // a recovery file follows the edits (this instance's own, in the recovery folder)
        WaitForAsyncUtils.asyncFx(() -> editor.replacePlan(searched, "back to the searched plan, as an edit")).get(10, TimeUnit.SECONDS);
        // the autosave runs a moment after an edit: wait for it rather than for a fixed time
        Path recovery = new ProjectStore(appDir).recoveryFile(null);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Files.exists(recovery));
        assertTrue(Files.exists(recovery), "recovery written");
    }

    /** Edits on an 80-layer plan reach the grid, the pipeline and the charts (their timing is EditBenchmark's, app/bench). */
    @Test
    void eightyLayerEditsShowInTheGridAndTheCharts(FxRobot robot) throws Exception {
        openSample();
        var ctx = TestContexts.withLayers(80);
        List<LayerStrategy> ls = new ArrayList<>(Collections.nCopies(80, LayerStrategy.parse("2-2*-2")));
        ParallelPlan p = new ParallelPlan(ls, List.of(40, 40), 64, 32, 2, false, false, ctx.settings().pipelineType(),
                ctx.settings().defaultDpType(), null);
        WaitForAsyncUtils.asyncFx(() -> editor.open(ctx, p, "80 layers")).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        double before = editor.estimate().iterationS();
        Number activationsBefore = window.charts().data().memory().getValue("activations", "stage 0");
        // checkpoint the first stage's even layers, one edit each, as a user clicking down the grid
        WaitForAsyncUtils.asyncFx(() -> {
            for (int i = 0; i < 40; i += 2) editor.setCheckpoint(List.of(i), true);
        }).get(30, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        var rows = window.grid().table().getItems();
        assertEquals(80, rows.size());
        for (int i = 0; i < 80; i++) {
            assertEquals(i < 40 && i % 2 == 0, rows.get(i).row().strategy().checkpoint(), "layer " + i + "'s checkpoint in the grid");
            assertEquals(i < 40 && i % 2 == 0, rows.get(i).flag(studio.app.grid.LayerRowModel.Flag.CHECKPOINT).get(), "layer " + i + "'s checkbox");
            assertEquals(i < 40 ? 0 : 1, rows.get(i).row().stage(), "layer " + i + "'s stage");
        }
        // recompute costs time and frees activations on the edited stage: the headline and the memory chart say so
        assertTrue(editor.estimate().iterationS() > before, "the recompute shows in the iteration time");
        Number activationsAfter = window.charts().data().memory().getValue("activations", "stage 0");
        assertTrue(activationsAfter.doubleValue() < activationsBefore.doubleValue(),
                "stage 0's activations drop in the memory chart: " + activationsBefore + " -> " + activationsAfter);
        assertEquals(String.format(java.util.Locale.ROOT, "%.3f s / iteration", editor.estimate().iterationS()),
                robot.lookup("#iterationLabel").queryAs(javafx.scene.control.Label.class).getText());
    }
}
