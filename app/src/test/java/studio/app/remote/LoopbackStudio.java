package studio.app.remote;

import javafx.stage.Stage;
import studio.app.MainWindow;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /** A Python with torch and torch.distributed, or null (.ci/run installs Debian's python3-torch). */
    static String pythonWithTorch() {
        for (String p : List.of("/usr/bin/python3", "python3")) {
            try {
                Process pr = new ProcessBuilder(p, "-c", "import torch, torch.distributed").redirectErrorStream(true).start();
                pr.getInputStream().readAllBytes();
                if (pr.waitFor(60, TimeUnit.SECONDS) && pr.exitValue() == 0) return p;
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        return null;
    }
}
