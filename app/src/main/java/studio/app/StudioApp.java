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
        stage.show();
        window.startUp();
    }

    @Override
    public void stop() {
        if (window != null) window.closed();
    }
}
