package studio.app;

import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.TestContexts;
import studio.engine.cli.StudioCli;
import studio.engine.plan.TargetRuntime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Galvatron 3.0 user drops in: the shipped 3.0 YAML opens as a 3.0 project with 3.0's own plan and numbers, the grid
 * shows the 3.0 columns, the target switches the cost model (undoably), and the export is what the 3.0 runtime reads.
 */
class Galvatron3StudioTest extends StudioWindow {
    static Path yaml() {
        return TestContexts.samples().resolve("galvatron3/models/gpt/scripts/search_dist_seq2048.yaml");
    }

    @Start
    void start(Stage stage) {
        startWindow(stage);
    }

    @SuppressWarnings("unchecked")
    @Test
    void aThreeYamlOpensCostsSwitchesAndExports(FxRobot robot, @TempDir Path out) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.openYaml(yaml())).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        ComboBox<TargetRuntime> target = robot.lookup("#targetChoice").queryAs(ComboBox.class);
        assertEquals(TargetRuntime.GALVATRON_V3, target.getValue());
        assertEquals(TargetRuntime.GALVATRON_V3, editor.state().context().target());
        assertTrue(robot.lookup("#throughputLabel").queryLabeled().getText().startsWith("16.533 samples/s"),
                robot.lookup("#throughputLabel").queryLabeled().getText());
        assertEquals(16.53314837203407, editor.estimate().throughput(), 16.53314837203407 * 1e-9, "Galvatron 3.0's own number for its plan");
        assertTrue(robot.lookup("#vocabStrategyLabel").queryLabeled().getText().contains("2-2*-2-sp"),
                robot.lookup("#vocabStrategyLabel").queryLabeled().getText());
        TableView<?> table = robot.lookup("#layerTable").queryAs(TableView.class);
        var headers = table.getColumns().stream().map(c -> c.getGraphic() instanceof javafx.scene.control.Label l ? l.getText() : c.getText()).toList();
        assertTrue(headers.containsAll(java.util.List.of("CP", "DP type", "Ulysses degree")), headers.toString());

        // the Search tab runs Galvatron 3.0's search for a 3.0 project: the same best plan
        robot.clickOn("#searchTab");
        robot.clickOn("#runSearch");
        waitFor(() -> !window.searchModel().runningProperty().get() && !window.searchModel().results().isEmpty());
        var hit = window.searchModel().results().get(0);
        assertEquals(16.53314837203407, hit.throughput(), 16.53314837203407 * 1e-9, window.searchModel().statusProperty().get());
        assertTrue(window.searchModel().statusProperty().get().contains("Galvatron 3.0"), window.searchModel().statusProperty().get());
        assertEquals(editor.plan(), hit.plan());
        robot.clickOn("#editorTab");

        // export: the 3.0 runtime's keys, and the file costs the same under the CLI's 3.0 evaluate
        MainWindow.Export e = WaitForAsyncUtils.asyncFx(() -> window.exportTo(out)).get(10, TimeUnit.SECONDS);
        assertEquals("galvatron_config_llama2-7b_1nodes_8gpus_per_node_36GB_bf16_bsz64.json", e.file().getFileName().toString());
        String config = Files.readString(e.file());
        assertTrue(config.contains("\"world_size\": 8") && config.contains("\"vocab_sdp\": 0") && config.contains("\"cp_sizes_enc\""), config);
        StringWriter so = new StringWriter();
        int rc = StudioCli.run(new String[] {"evaluate", "--json", "--galvatron_config_path", e.file().toString(), yaml().toString()},
                new PrintWriter(so, true), new PrintWriter(new StringWriter(), true));
        assertEquals(0, rc, so.toString());
        assertTrue(so.toString().contains("\"throughput_samples_per_s\" : 16.5331483720340"), so.toString());

        // the target is a setting: v2's model gives another number, and undo goes back
        WaitForAsyncUtils.asyncFx(() -> target.setValue(TargetRuntime.GALVATRON_V2)).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TargetRuntime.GALVATRON_V2, editor.state().context().target());
        assertNotEquals(16.53314837203407, editor.estimate().throughput(), 1e-6);
        WaitForAsyncUtils.asyncFx(() -> editor.undo()).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TargetRuntime.GALVATRON_V3, target.getValue());
        assertEquals(16.53314837203407, editor.estimate().throughput(), 16.53314837203407 * 1e-9);

        // the project keeps its target and its YAML
        Path project = out.resolve("three.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(project)).get(10, TimeUnit.SECONDS));
        String saved = Files.readString(project);
        assertTrue(saved.contains("\"target\" : \"galvatron-v3\"") && saved.contains("search_dist_seq2048.yaml"), saved);
    }

    @Test
    void aYamlGalvatronCannotRunSaysWhyAndKeepsTheOpenPlan(FxRobot robot) throws Exception {
        openSample();
        var before = editor.plan();
        Path shipped = TestContexts.samples().resolve("galvatron3/models/gpt/scripts/search_dist.yaml");
        var task = WaitForAsyncUtils.asyncFx(() -> window.openYaml(shipped)).get(10, TimeUnit.SECONDS);
        waitFor(task::isDone);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before, editor.plan(), "the open plan stays");
        waitFor(() -> robot.lookup(".dialog-pane").queryAll().stream().anyMatch(n ->
                ((javafx.scene.control.DialogPane) n).getContentText().contains("needs at least 3 of them")));
    }
}
