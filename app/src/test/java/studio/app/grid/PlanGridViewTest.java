package studio.app.grid;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.StudioApp;
import studio.app.workspace.SamplePlanLoader;
import studio.engine.inputs.InputLocator;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real window under the headless Monocle toolkit, on the shipped sample plan. */
@ExtendWith(ApplicationExtension.class)
class PlanGridViewTest {
    PlanGridViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new PlanGridViewModel();
        stage.setScene(new Scene(new PlanGridView(vm).root(), 1100, 700));
        stage.show();
    }

    @Test
    void opensOnTheSamplePlan(FxRobot robot) throws Exception {
        var task = StudioApp.open(vm, new SamplePlanLoader(InputLocator.defaultSampleRoot()));
        task.get(30, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        TableView<?> table = robot.lookup("#layerTable").queryAs(TableView.class);
        assertEquals(32, table.getItems().size());
        String summary = robot.lookup("#summaryLabel").queryAs(Label.class).getText();
        assertTrue(summary.contains("14.2054 samples/s"), summary);
        String rules = robot.lookup("#rulesLabel").queryAs(Label.class).getText();
        assertTrue(rules.contains("rule 9"), rules);
    }
}
