package studio.app;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.TableCell;
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
import studio.app.search.SearchHit;
import studio.engine.plan.LayerStrategy;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Search from the window, cancel, open a result, compare, pin and re-search, explain, what-if, chart export. */
@ExtendWith(ApplicationExtension.class)
class SearchCompareTest {
    @TempDir
    static Path appDir;
    PlanEditor editor;
    MainWindow window;
    Scene scene;

    @Start
    void start(Stage stage) {
        editor = new PlanEditor();
        window = new MainWindow(editor, TestContexts.loader(), new ProjectStore(appDir));
        scene = window.newScene();
        stage.setScene(scene);
        stage.show();
    }

    private void openSample() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void waitSearch() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !window.searchModel().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void shot(Scene scene, String name) throws Exception {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        var img = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", dir.resolve(name).toFile());
    }

    @Test
    void searchCancelOpenCompareAndPin(FxRobot robot, @TempDir Path out) throws Exception {
        openSample();
        robot.clickOn("#searchTab");

        // a long sweep, cancelled from the button
        WaitForAsyncUtils.asyncFx(() -> {
            window.searchModel().settleBsz.set(-1);
            window.searchModel().minBsz.set(64);
            window.searchModel().maxBsz.set(1024);
            window.searchModel().bszScale.set(64);
            window.searchModel().workers.set(1);
        }).get(5, TimeUnit.SECONDS);
        robot.clickOn("#runSearch");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> window.searchModel().runningProperty().get());
        robot.clickOn("#cancelSearch");
        waitSearch();
        assertEquals("Search cancelled", window.searchModel().statusProperty().get());

        // a real search; open its best plan in the editor
        WaitForAsyncUtils.asyncFx(() -> window.searchModel().settleBsz.set(64)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#runSearch");
        waitSearch();
        List<SearchHit> hits = List.copyOf(window.searchModel().results());
        assertFalse(hits.isEmpty(), window.searchModel().statusProperty().get());
        assertTrue(hits.get(0).label().startsWith("best at batch 64"));
        shot(scene, "search.png");
        WaitForAsyncUtils.asyncFx(() -> window.searchView().table().getSelectionModel().select(1)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#compareResult");
        WaitForAsyncUtils.asyncFx(() -> window.searchView().table().getSelectionModel().select(0)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#openResult");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(hits.get(0).plan(), editor.plan());

        // compare the runner-up, the editor's plan and the uniform baseline
        WaitForAsyncUtils.asyncFx(() -> editor.setCheckpoint(List.of(0, 1), true)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#compareTab");
        robot.clickOn("#addCurrentPlan");
        robot.clickOn("#addBaseline");
        WaitForAsyncUtils.asyncFx(() -> window.compareView().list().getSelectionModel().selectAll()).get(5, TimeUnit.SECONDS);
        robot.clickOn("#runCompare");
        WaitForAsyncUtils.waitForFxEvents();
        var cmp = window.compareView().current();
        assertEquals(3, cmp.plans().size());
        assertTrue(cmp.differingLayers() > 0, "the plans differ somewhere");
        long highlighted = robot.lookup(".table-cell").queryAll().stream()
                .filter(n -> n instanceof TableCell<?, ?> && n.getStyleClass().contains("differs")).count();
        assertTrue(highlighted > 0, "differences highlighted");
        shot(scene, "compare.png");

        // pin layers 0-3 with a strategy the optimum would not choose, and re-search: they keep it
        robot.clickOn("#editorTab");
        LayerStrategy pin = LayerStrategy.parse(editor.plan().layers().get(0).withCheckpoint(true).form());
        WaitForAsyncUtils.asyncFx(() -> {
            editor.setCheckpoint(List.of(0, 1, 2, 3), true);
            window.grid().table().getSelectionModel().clearSelection();
            window.grid().table().getSelectionModel().selectRange(0, 4);
        }).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> window.runSearch(true)).get(5, TimeUnit.SECONDS);
        waitSearch();
        SearchHit best = window.searchModel().results().get(0);
        for (int l = 0; l < 4; l++) assertEquals(pin, best.plan().layers().get(l), "layer " + l + " stays pinned");

        // explain the selected layer: alternatives with their effect on the iteration
        WaitForAsyncUtils.asyncFx(() -> window.grid().table().getSelectionModel().clearAndSelect(5)).get(5, TimeUnit.SECONDS);
        var ex = window.explainView().current();
        assertEquals(5, ex.layer());
        assertFalse(ex.alternatives().isEmpty());

        // export the editor's charts
        List<Path> files = WaitForAsyncUtils.asyncFx(() -> window.exportCharts(out)).get(10, TimeUnit.SECONDS);
        assertEquals(8, files.size());
        assertTrue(Files.readString(out.resolve("memory-per-stage.svg")).contains("<svg"));
        assertTrue(Files.size(out.resolve("time-per-stage.png")) > 5_000);
    }

    @Test
    void whatIfBudgetCurve(FxRobot robot) throws Exception {
        openSample();
        robot.clickOn("#whatIfTab");
        robot.clickOn("#whatIfBudget");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> window.whatIfView().budgetSeries().getItemCount() == 7);
        var s = window.whatIfView().budgetSeries();
        for (int i = 1; i < s.getItemCount(); i++) {
            assertTrue(s.getY(i).doubleValue() >= s.getY(i - 1).doubleValue() * (1 - 1e-9), "more memory never slows the best plan");
        }
        assertTrue(s.getY(6).doubleValue() > s.getY(0).doubleValue());
    }
}
