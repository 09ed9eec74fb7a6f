package studio.app;

import javafx.stage.Stage;
import javafx.application.Platform;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.PlanningContext;
import studio.app.project.Project;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unsaved work under the real window: the title marks it, closing asks first, a crash's work is offered back. */
class UnsavedWorkTest extends StudioWindow {
    @Start
    void start(Stage stage) {
        startWindow(stage);
    }

    private ParallelPlan edited(ParallelPlan p) {
        List<LayerStrategy> ls = new ArrayList<>(p.layers());
        ls.set(0, ls.get(0).withCheckpoint(!ls.get(0).checkpoint()));
        return p.withLayers(ls);
    }

    @Test
    void closingWithUnsavedChangesAsksAndCancelKeepsTheWindow(FxRobot robot, @TempDir Path out) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("untitled — Galvatron Studio", stage.getTitle());
        // nothing changed: closing does not ask (checked on a copy of the request, the window stays for the test)
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.confirmDiscard("close the window")).get(5, TimeUnit.SECONDS));

        WaitForAsyncUtils.asyncFx(() -> editor.replacePlan(edited(editor.plan()), "checkpoint layer 0")).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(window.dirtyProperty().get());
        assertEquals("* untitled — Galvatron Studio", stage.getTitle());

        Platform.runLater(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("Unsaved changes").tryQuery().isPresent(), "the question is asked");
        clickWhenShown(robot, "Cancel");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(stage.isShowing(), "Cancel keeps the window and the work");
        assertTrue(window.dirtyProperty().get());

        // saved: the marker goes, the title names the file, closing no longer asks
        Path file = out.resolve("llama.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(file)).get(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("llama.gsp.json — Galvatron Studio", stage.getTitle());
        assertFalse(window.dirtyProperty().get());

        // edited again, closed, "Don't save": the window goes
        WaitForAsyncUtils.asyncFx(() -> editor.replacePlan(edited(editor.plan()), "checkpoint layer 0 again")).get(10, TimeUnit.SECONDS);
        Platform.runLater(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        WaitForAsyncUtils.waitForFxEvents();
        clickWhenShown(robot, "Don't save");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(stage.isShowing(), "the user chose to discard");
    }

    @Test
    void aCrashedInstancesWorkIsOfferedAndRestored(FxRobot robot) throws Exception {
        PlanningContext ctx = TestContexts.sample();
        ParallelPlan plan = edited(TestContexts.loader().searchedPlan(ctx, 64));
        // written by another studio instance that then died
        Process crashed = new ProcessBuilder("sleep", "120").start();
        ProjectStore theirs = new ProjectStore(appDir, crashed.toHandle());
        Path theirFile = appDir.resolve("work.gsp.json");
        theirs.writeRecovery(new Project(ctx.settings(), List.of(new Project.NamedPlan("plan", plan)), "unsaved notes"), theirFile);
        Path left = theirs.recoveryFile(theirFile);
        crashed.destroy();
        crashed.waitFor();
        // and a recovery file that no longer parses: kept aside, reported, never overwritten
        Path broken = appDir.resolve("recovery/untitled-0.1.json");
        Files.writeString(broken, "{\"format\": ");

        Platform.runLater(() -> window.startUp());
        WaitForAsyncUtils.waitForFxEvents();
        clickWhenShown(robot, "Restore");
        waitFor(() -> editor.plan() != null && editor.plan().equals(plan));
        assertTrue(window.dirtyProperty().get(), "restored work is still unsaved");
        assertEquals(theirFile, window.projectFile());
        assertEquals("* work.gsp.json — Galvatron Studio", stage.getTitle());
        waitFor(() -> !Files.exists(left));
        assertFalse(Files.exists(broken));
        try (var s = Files.list(appDir.resolve("recovery/broken"))) {
            assertEquals(1, s.count());
        }
        assertTrue(robot.lookup(n -> n instanceof javafx.scene.control.Label l && l.getText() != null && l.getText().contains("kept as"))
                .tryQuery().isPresent() || robot.lookup(".dialog-pane").queryAll().stream().anyMatch(n ->
                ((javafx.scene.control.DialogPane) n).getContentText().contains("kept as")), "the broken file is reported");
    }
}
