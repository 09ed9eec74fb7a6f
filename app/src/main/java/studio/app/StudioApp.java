package studio.app;

import javafx.application.Application;
import javafx.stage.Stage;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.engine.inputs.InputLocator;

/** The studio: opens the unsaved project a crash left, else the shipped llama-7b sample with a searched plan. */
public final class StudioApp extends Application {
    private MainWindow window;

    @Override
    public void start(Stage stage) {
        studio.app.theme.Themes.apply(studio.app.theme.Themes.Choice.SYSTEM);
        ProjectStore store = new ProjectStore(ProjectStore.defaultAppDir());
        window = new MainWindow(new PlanEditor(), new ContextLoader(InputLocator.defaultSampleRoot()), store);
        stage.setScene(window.newScene());
        window.attach(stage);
        if (Boolean.getBoolean("studio.startupProbe")) probeStartup(stage);
        stage.show();
        window.startUp();
    }

    /**
     * {@code -Dstudio.startupProbe=true}: prints when the window was first drawn and when the sample plan was shown,
     * counted from the JVM's start, then quits (what the start-up benchmark measures).
     */
    private void probeStartup(Stage stage) {
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        stage.setOnShown(e -> javafx.application.Platform.runLater(() -> {
            System.out.println("startup: window drawn " + (System.currentTimeMillis() - jvmStart) + " ms after the JVM started");
            window.editor().estimateProperty().addListener((o, a, b) -> {
                if (b == null) return;
                System.out.println("startup: plan shown " + (System.currentTimeMillis() - jvmStart) + " ms after the JVM started");
                javafx.application.Platform.exit();
            });
        }));
    }

    @Override
    public void stop() {
        if (window != null) window.closed();
    }
}
