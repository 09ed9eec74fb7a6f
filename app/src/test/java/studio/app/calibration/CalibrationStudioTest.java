package studio.app.calibration;

import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.MainWindow;
import studio.app.StudioWindow;
import studio.app.cluster.RemoteRun;
import studio.app.cluster.RunPrediction;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;
import studio.engine.calibration.CalibrationFile;
import studio.engine.calibration.CorrectionFactors;
import studio.engine.calibration.TimeTerms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calibration in a real window: a project's measured runs (as the runner's events left them, saved and opened again)
 * against their predictions, the factors fitted and saved for the cluster, the open plan's calibrated figures in the
 * toolbar and the search results, and switched off.
 */
class CalibrationStudioTest extends StudioWindow {
    @Start
    void start(Stage stage) {
        this.stage = stage;
        editor = new PlanEditor();
        window = new MainWindow(editor, new studio.app.project.ContextLoader(TestContexts.samples(), appDir.resolve("measured")), new ProjectStore(appDir));
        stage.setScene(window.newScene());
        window.attach(stage);
        stage.show();
    }

    @Test
    void measuredRunsCalibrateTheClusterAndTheCalibrationIsApplied(FxRobot robot) throws Exception {
        openSample();
        CalibrationViewModel vm = window.calibrationModel();
        String key = vm.clusterKey();
        TimeTerms plan = TimeTerms.of(editor.estimate());
        // three runs of plans on this cluster that took 12 % longer than predicted, one of another cluster
        List<RemoteRun> runs = List.of(
                run("run-a", 0, key, plan, 1.12 * plan.totalS()),
                run("run-b", 0, key, new TimeTerms(plan.computeS() * 1.3, plan.communicationS(), plan.dataParallelS(), plan.pipelineS()),
                        1.13 * (plan.totalS() + 0.3 * plan.computeS())),
                run("run-c", 0, key, new TimeTerms(plan.computeS() * 0.8, plan.communicationS() * 1.5, plan.dataParallelS(), plan.pipelineS()),
                        1.11 * (plan.totalS() - 0.2 * plan.computeS() + 0.5 * plan.communicationS())),
                run("run-c", 1, key, plan, 9.0),
                run("elsewhere", 0, "H100-80GB-SXM 4x8", plan, 2 * plan.totalS()));
        WaitForAsyncUtils.asyncFx(() -> window.remoteModel().runs().setAll(runs)).get(5, TimeUnit.SECONDS);
        // kept with the project: saved and opened again
        Path project = appDir.resolve("calibration.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(project)).get(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.asyncFx(() -> window.remoteModel().runs().clear()).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> window.openProject(project)).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of("run-a", "run-b", "run-c"), vm.rows().stream().map(CalibrationViewModel.Row::run).toList(),
                "node 0's measured runs of this cluster");
        assertEquals(plan.totalS(), vm.rows().get(0).predictedS(), 1e-9);

        robot.clickOn("#remoteTab");
        // the section is at the foot of the cluster tab
        WaitForAsyncUtils.asyncFx(() -> {
            javafx.scene.Node n = robot.lookup("#calibrationPane").query();
            while (n != null && !(n instanceof javafx.scene.control.ScrollPane)) n = n.getParent();
            ((javafx.scene.control.ScrollPane) n).setVvalue(1);
        }).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#calibrationFit");
        WaitForAsyncUtils.waitForFxEvents();
        CorrectionFactors f = vm.factorsProperty().get();
        assertEquals(CorrectionFactors.Method.ONE_FACTOR, f.method(), "three runs cannot tell four terms apart");
        assertEquals(1.12, f.compute().value(), 0.01);
        assertTrue(f.compute().standardError() > 0 && f.compute().standardError() < 0.01, f.describe());
        assertTrue(vm.statusProperty().get().startsWith("Calibrated on " + key), vm.statusProperty().get());
        var s = editor.state().context().settings();
        Path saved = CalibrationFile.of(appDir.resolve("measured/calibration"), s.gpu(), s.nodes(), s.gpusPerNode());
        assertEquals(f.compute().value(), CalibrationFile.read(saved).compute().value(), 0, "saved for the cluster");
        for (CalibrationViewModel.Row r : vm.rows()) assertTrue(Math.abs(r.calibratedError()) < Math.abs(r.error()), "calibration closes the gap");

        String headline = robot.lookup("#calibratedLabel").queryLabeled().getText();
        assertTrue(headline.startsWith(String.format(java.util.Locale.ROOT, "calibrated (3 runs): %.3f s / iteration",
                f.iterationS(TimeTerms.of(editor.estimate())))), headline);
        // the search results get the calibrated iteration of each plan found
        var hit = new studio.app.search.SearchHit("the open plan", editor.plan().globalBatch(), 1, editor.plan(), editor.estimate().throughput(),
                editor.estimate().iterationS(), 0, 1, 1);
        WaitForAsyncUtils.asyncFx(() -> window.searchModel().results().setAll(List.of(hit))).get(5, TimeUnit.SECONDS);
        @SuppressWarnings("unchecked")
        javafx.scene.control.TableView<studio.app.search.SearchHit> results = robot.lookup("#searchResults").queryAs(javafx.scene.control.TableView.class);
        var column = results.getColumns().stream().filter(c -> c.getText().equals("Calibrated iteration (s)")).findFirst().orElseThrow();
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", f.iterationS(TimeTerms.of(editor.estimate()))), column.getCellData(0));
        WaitForAsyncUtils.asyncFx(() -> vm.applied.set(false)).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", robot.lookup("#calibratedLabel").queryLabeled().getText(), "switched off: Galvatron's figures alone");
        assertTrue(Double.isNaN(vm.calibratedIterationS(editor.estimate())));
        assertEquals("", column.getCellData(0));
        WaitForAsyncUtils.asyncFx(() -> vm.applied.set(true)).get(5, TimeUnit.SECONDS);
        assertTrue(Files.isRegularFile(saved));
    }

    private static RemoteRun run(String id, int rank, String cluster, TimeTerms terms, double measuredS) {
        return new RemoteRun("10.0.0.1", 22, "ml", "", rank, id, 40, measuredS, terms.totalS(), 30_000, "finished",
                new RunPrediction(cluster, terms, 29_000));
    }
}
