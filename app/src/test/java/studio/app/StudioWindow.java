package studio.app;

import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio's real window on a TestFX stage, as the app builds it, and the waits the window tests share. */
public final class StudioWindow {
    public final PlanEditor editor = new PlanEditor();
    public final MainWindow window;
    public final Stage stage;

    private StudioWindow(Stage stage, Path appDir) {
        this.stage = stage;
        window = new MainWindow(editor, TestContexts.loader(), new ProjectStore(appDir));
        stage.setScene(window.newScene());
        window.attach(stage);
    }

    /** Shows the window on {@code stage} with its projects and recovery under {@code appDir}. */
    public static StudioWindow show(Stage stage, Path appDir) {
        StudioWindow w = new StudioWindow(stage, appDir);
        stage.show();
        return w;
    }

    /** Opens the shipped sample with its searched plan and waits until it is on screen. */
    public void openSample() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Waits (up to a minute) for {@code condition}, letting the FX thread work. */
    public static void waitFor(BooleanSupplier condition) throws Exception {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
            WaitForAsyncUtils.waitForFxEvents();
        }
        assertTrue(condition.getAsBoolean(), "timed out");
    }
}
