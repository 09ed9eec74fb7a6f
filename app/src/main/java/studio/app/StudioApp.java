package studio.app;

import javafx.application.Application;
import javafx.concurrent.Task;
import javafx.scene.Scene;
import javafx.stage.Stage;
import studio.app.grid.PlanGridView;
import studio.app.grid.PlanGridViewModel;
import studio.app.workspace.PlanDocument;
import studio.app.workspace.SamplePlanLoader;
import studio.engine.inputs.InputLocator;

/** The studio window; it opens on the shipped sample plan, loaded off the FX thread. */
public final class StudioApp extends Application {
    @Override
    public void start(Stage stage) {
        PlanGridViewModel vm = new PlanGridViewModel();
        stage.setScene(new Scene(new PlanGridView(vm).root(), 1100, 720));
        stage.setTitle("Galvatron Studio");
        stage.show();
        open(vm, new SamplePlanLoader(InputLocator.defaultSampleRoot()));
    }

    /** Loads a plan in the background and hands it to the view model on the FX thread. */
    public static Task<PlanDocument> open(PlanGridViewModel vm, SamplePlanLoader loader) {
        Task<PlanDocument> task = new Task<>() {
            @Override
            protected PlanDocument call() {
                return loader.load();
            }
        };
        task.setOnSucceeded(e -> vm.documentProperty().set(task.getValue()));
        task.setOnFailed(e -> vm.fail(task.getException().getMessage()));
        Thread t = new Thread(task, "plan-loader");
        t.setDaemon(true);
        t.start();
        return task;
    }
}
