package studio.app.remote;

import javafx.stage.Stage;
import studio.app.MainWindow;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;

import java.nio.file.Path;

/** A studio window whose cluster tab talks to the real runner jar, over SSH, on loopback; for tests. */
final class LoopbackStudio {
    private LoopbackStudio() {
    }

    /** Shows the window on {@code stage}; the node's files live under {@code dir/node}, host keys are accepted. */
    static MainWindow show(Stage stage, PlanEditor editor, ContextLoader loader, Path dir) {
        MainWindow window = new MainWindow(editor, loader, new ProjectStore(dir.resolve("app")),
                new RemoteSetup(RemoteTrainingTest.runnerJar(), dir.resolve("node").toString(), dir.resolve("known_hosts"), (h, t, f) -> true));
        stage.setScene(window.newScene());
        stage.show();
        return window;
    }
}
