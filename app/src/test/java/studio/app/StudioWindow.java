package studio.app;

import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio's real window on a TestFX stage, built as the app builds it, with its projects and recovery in a test
 * folder; the window tests extend it. It stops the window's background writes before the folder is removed.
 */
@ExtendWith(ApplicationExtension.class)
public abstract class StudioWindow {
    @TempDir
    protected Path appDir;
    protected PlanEditor editor;
    protected MainWindow window;
    protected Stage stage;

    /** Shows the window: each test class calls it from its own {@code @Start} (TestFX looks for it there, not here). */
    protected void startWindow(Stage stage) {
        this.stage = stage;
        editor = new PlanEditor();
        window = new MainWindow(editor, TestContexts.loader(), new ProjectStore(appDir));
        stage.setScene(window.newScene());
        window.attach(stage);
        stage.show();
    }

    @AfterEach
    void closeWindow() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.closed()).get(10, TimeUnit.SECONDS);
    }

    /** Opens the shipped sample with its searched plan and waits until it is on screen. */
    protected void openSample() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /**
     * Clicks the button (or other node) labelled {@code text} once a dialog shows it: present is not enough, a dialog's
     * buttons exist a moment before they are laid out and visible.
     */
    protected static void clickWhenShown(org.testfx.api.FxRobot robot, String text) throws Exception {
        waitFor(() -> robot.lookup(text).match(org.testfx.matcher.base.NodeMatchers.isVisible()).tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(robot.lookup(text).match(org.testfx.matcher.base.NodeMatchers.isVisible()).<javafx.scene.Node>query());
    }

    /** Waits (up to a minute) for {@code condition}, letting the FX thread work. */
    protected static void waitFor(BooleanSupplier condition) throws Exception {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
            WaitForAsyncUtils.waitForFxEvents();
        }
        assertTrue(condition.getAsBoolean(), "timed out");
    }
}
