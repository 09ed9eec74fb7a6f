package studio.app.remote;

import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Spinner;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.MainWindow;
import studio.app.project.PlanEditor;
import studio.app.project.Project;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster tab against a real SSH server on loopback running the real runner jar (DJL smoke engine). */
@ExtendWith(ApplicationExtension.class)
class RemoteViewTest {
    @TempDir
    static Path dir;
    static LoopbackSshServer server;
    PlanEditor editor;
    MainWindow window;
    Scene scene;

    @Start
    void start(Stage stage) throws Exception {
        server = new LoopbackSshServer(dir.resolve("ssh"));
        editor = new PlanEditor();
        window = LoopbackStudio.show(stage, editor, TestContexts.loader(), dir);
        scene = stage.getScene();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void checkLaunchFollowAndKeepTheMeasurements(FxRobot robot) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openSample()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        robot.clickOn("#remoteTab");
        ClusterHost h = server.host();
        robot.clickOn("#hostField").write(h.host());
        robot.doubleClickOn("#portField").write(String.valueOf(h.port()));
        robot.doubleClickOn("#userField").write(h.user());
        WaitForAsyncUtils.asyncFx(() -> robot.lookup("#keyField").queryTextInputControl().setText(h.keyFile().toString()))
                .get(5, TimeUnit.SECONDS);
        robot.clickOn("#addHost");
        assertEquals(1, window.remoteModel().hosts().size());

        robot.clickOn("#checkCluster");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> window.remoteModel().checks().size() == 1);
        var check = window.remoteModel().checks().get(0);
        assertTrue(check.problem().contains("the plan needs 8 GPUs per node, found 0"), check.toString());

        WaitForAsyncUtils.asyncFx(() -> {
            @SuppressWarnings("unchecked")
            ComboBox<String> engine = robot.lookup("#engineChoice").queryAs(ComboBox.class);
            engine.setValue("djl");
            @SuppressWarnings("unchecked")
            Spinner<Integer> it = robot.lookup("#itersSpinner").queryAs(Spinner.class);
            it.getValueFactory().setValue(25);
        }).get(5, TimeUnit.SECONDS);
        robot.clickOn("#launchTraining");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !window.remoteModel().runs().isEmpty()
                && window.remoteModel().runs().get(0).state().equals("finished"));
        WaitForAsyncUtils.waitForFxEvents();
        RemoteRun run = window.remoteModel().runs().get(0);
        assertEquals(25, window.remoteModel().loss().getItemCount());
        assertEquals(25, window.remoteModel().iterationTime().getItemCount());
        assertEquals(0, window.remoteModel().predicted().getItemCount(), "the smoke trainer is not compared with the plan");
        assertTrue(run.measuredIterationS() > 0 && run.predictedIterationS() == 0, run.toString());
        // the timeline shows the last run's measured iteration (a smoke run: nothing of the plan's to set beside it)
        String lastRun = window.timelineView().lastRunLabel().getText();
        assertTrue(lastRun.startsWith("Last run: measured ") && lastRun.contains("smoke run"), lastRun);
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        var img = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", shots.resolve("remote.png").toFile());

        // the measurements travel with the project
        Path file = dir.resolve("p.gsp.json");
        WaitForAsyncUtils.asyncFx(() -> window.saveProject(file)).get(10, TimeUnit.SECONDS);
        Project p = new ProjectStore(dir.resolve("app2")).open(file);
        assertEquals(1, p.runs().size());
        assertEquals(run.measuredIterationS(), p.runs().get(0).measuredIterationS(), 1e-12);
        assertEquals(h, p.hosts().get(0));
    }
}
