package studio.app;

import javafx.stage.Stage;
import com.fasterxml.jackson.databind.JsonNode;
import javafx.application.Platform;
import javafx.scene.control.Spinner;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.ClusterSettings;
import studio.app.project.TestContexts;
import studio.engine.io.JsonFiles;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio's answers under the real window: imports, settings changes, undo, fields and headlines say the truth. */
class StudioAnswersTest extends StudioWindow {
    @Start
    void start(Stage stage) {
        startWindow(stage);
    }
    static final Path CONFIG_3D = TestContexts.samples().resolve(
            "llama_hf/configs/galvatron_config_llama-7b_2nodes_8gpus_per_node_40GB_bf16_3D_example.json");

    private ClusterSettings settings() {
        return editor.state().context().settings();
    }

    /** What `gstudio evaluate --json` says of a config. */
    private static JsonNode cli(Path config) throws Exception {
        StringWriter out = new StringWriter();
        int code = studio.engine.cli.StudioCli.run(new String[] {"evaluate", "--galvatron_config_path", config.toString(), "--json",
                "--sample_configs", TestContexts.samples().toString()}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertTrue(code == 0 || code == 2, out.toString());
        return JsonFiles.mapper().readTree(out.toString());
    }

    @Test
    void importTakesTheSettingsTheConfigWasWrittenForAndCostsItAsTheCliDoes(FxRobot robot) throws Exception {
        openSample();
        ClusterSettings before = settings();
        assertEquals(1, before.nodes());
        Platform.runLater(() -> window.importConfig(CONFIG_3D));
        clickWhenShown(robot, "Use the file's settings");
        waitFor(() -> settings().nodes() == 2);
        assertEquals(8, settings().gpusPerNode());
        assertEquals(40, settings().memoryGb());
        JsonNode cli = cli(CONFIG_3D);
        assertEquals(cli.path("throughput_samples_per_s").asDouble(), editor.estimate().throughput(), 1e-9, "costed as the CLI costs it");
        assertEquals(cli.path("fits_memory").asBoolean(), editor.estimate().fitsMemory());
        assertTrue(editor.estimate().fitsMemory(), "35,280 of 40,960 MB: fits");
        // one undoable step: back to the project's own settings and plan
        WaitForAsyncUtils.asyncFx(editor::undo).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before, settings());

        // keeping the project's settings says so
        Platform.runLater(() -> window.importConfig(CONFIG_3D));
        clickWhenShown(robot, "Keep the project's");
        waitFor(() -> editor.messageProperty().get().contains("imported"));
        assertTrue(editor.messageProperty().get().contains("costed under the project's settings"), editor.messageProperty().get());
        assertEquals(before, settings());
    }

    @Test
    void changingTheClusterKeepsAHandEditedPlanAndUndoGoesBack(FxRobot robot) throws Exception {
        openSample();
        ParallelPlan searched = editor.plan();
        List<LayerStrategy> ls = new ArrayList<>(searched.layers());
        ls.set(3, ls.get(3).withCheckpoint(!ls.get(3).checkpoint()));
        ParallelPlan edited = searched.withLayers(ls);
        WaitForAsyncUtils.asyncFx(() -> editor.replacePlan(edited, "hand edit")).get(10, TimeUnit.SECONDS);
        @SuppressWarnings("unchecked")
        Spinner<Integer> nodes = (Spinner<Integer>) robot.lookup("#nodesSpinner").query();
        Platform.runLater(() -> nodes.getValueFactory().setValue(2));
        waitFor(() -> settings().nodes() == 2);
        ParallelPlan kept = editor.plan();
        assertEquals(edited.pp(), kept.pp());
        for (int i = 0; i < kept.layerCount(); i++) {
            assertEquals(edited.layers().get(i).tp(), kept.layers().get(i).tp(), "layer " + i + " keeps its TP");
            assertEquals(edited.layers().get(i).checkpoint(), kept.layers().get(i).checkpoint(), "layer " + i + " keeps its checkpointing");
            assertEquals(16 / kept.pp() / kept.layers().get(i).tp(), kept.layers().get(i).dp(), "DP fills the new cluster");
        }
        assertTrue(editor.messageProperty().get().contains("kept the plan"), editor.messageProperty().get());
        // undo from a focused text field: back to one node and the hand-edited plan
        robot.clickOn(((Spinner<?>) robot.lookup("#memorySpinner").query()).getEditor());
        var owner = stage.getScene().getFocusOwner();
        assertTrue(owner instanceof javafx.scene.control.TextField || owner instanceof Spinner, "a text field has the focus: " + owner);
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, settings().nodes());
        assertEquals(edited, editor.plan());
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z).release(KeyCode.Z, KeyCode.SHIFT, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, settings().nodes(), "redo from the field too");
        // a fresh search is its own undoable step
        ParallelPlan beforeSearch = editor.plan();
        WaitForAsyncUtils.asyncFx(() -> window.searchAgain()).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        waitFor(() -> editor.messageProperty().get().contains("searched again"));
        WaitForAsyncUtils.asyncFx(editor::undo).get(10, TimeUnit.SECONDS);
        assertEquals(beforeSearch, editor.plan());
    }

    @Test
    void invalidFieldValuesAreMarkedAndNeverApplied(FxRobot robot) throws Exception {
        openSample();
        int memory = settings().memoryGb();
        @SuppressWarnings("unchecked")
        Spinner<Integer> memorySpinner = (Spinner<Integer>) robot.lookup("#memorySpinner").query();
        robot.doubleClickOn(memorySpinner.getEditor()).write("abc").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        String error = robot.lookup("#fieldError").queryLabeled().getText();
        assertTrue(error.contains("Memory GB") && error.contains("whole number"), error);
        assertEquals(memory, settings().memoryGb(), "not applied");
        // the arrows still work
        robot.clickOn(memorySpinner.getEditor());
        WaitForAsyncUtils.asyncFx(() -> memorySpinner.getEditor().setText(String.valueOf(memory))).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> memorySpinner.increment()).get(5, TimeUnit.SECONDS);
        waitFor(() -> settings().memoryGb() == memory + 1);
        waitFor(() -> robot.lookup("#fieldError").queryLabeled().getText().isEmpty());
        @SuppressWarnings("unchecked")
        Spinner<Integer> nodes = (Spinner<Integer>) robot.lookup("#nodesSpinner").query();
        robot.doubleClickOn(nodes.getEditor()).write("-2").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#fieldError").queryLabeled().getText().contains("Nodes"), robot.lookup("#fieldError").queryLabeled().getText());
        assertEquals(1, settings().nodes());
    }

    @Test
    void theHeadlineSaysWhenAPlanBreaksRulesAndShowsTheCacheReserveApart(FxRobot robot) throws Exception {
        openSample();
        assertEquals("", robot.lookup("#rulesLabel").queryLabeled().getText());
        String peak = robot.lookup("#peakMemoryLabel").queryLabeled().getText();
        int reserve = editor.estimate().memory().get(0).reservedMb();
        assertTrue(reserve > 0 && peak.contains(String.format(java.util.Locale.ROOT, "%,d MB cache reserve", reserve)), peak);
        assertTrue(peak.contains(String.format(java.util.Locale.ROOT, "peak %,d MB", editor.estimate().peakMemoryMb() - reserve)), peak);
        assertTrue(window.charts().data().memory().getRowKeys().contains("cache reserve (20% of budget)"));
        WaitForAsyncUtils.asyncFx(() -> editor.setBatch(7, 48)).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        String rules = robot.lookup("#rulesLabel").queryLabeled().getText();
        assertTrue(rules.startsWith("breaks ") && rules.contains("rule"), rules);
        assertFalse(editor.estimate().violations().isEmpty());
    }

    @Test
    void theProjectKeepsItsComparisonAndSearchResults(FxRobot robot, @TempDir Path out) throws Exception {
        openSample();
        ParallelPlan p = editor.plan();
        WaitForAsyncUtils.asyncFx(() -> {
            window.addToComparison("kept for later", p);
            window.searchModel().results().add(new studio.app.search.SearchHit("best at batch 64", 64, 1, p, 14.1, 4.5, 30000, 1, 2));
        }).get(10, TimeUnit.SECONDS);
        Path file = out.resolve("kept.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(file)).get(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.asyncFx(() -> {
            window.compareView().shelf().clear();
            window.searchModel().results().clear();
        }).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> window.openProject(file)).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of("kept for later"), window.compareView().shelf().stream().map(studio.app.compare.NamedPlan::name).toList());
        assertEquals(1, window.searchModel().results().size());
        assertEquals(14.1, window.searchModel().results().get(0).throughput(), 1e-12);
        assertEquals(p, window.searchModel().results().get(0).plan());
    }

    @Test
    void aHuggingFaceConfigIsNamedFromItselfAndItsSequenceLengthCanBeSet(FxRobot robot, @TempDir Path dir) throws Exception {
        openSample();
        Path config = java.nio.file.Files.createDirectories(dir.resolve("models")).resolve("config.json");
        java.nio.file.Files.writeString(config, "{\"model_type\": \"qwen2\", \"_name_or_path\": \"Qwen/Qwen2-tiny\", \"hidden_size\": 1024, "
                + "\"intermediate_size\": 2816, \"num_attention_heads\": 16, \"num_key_value_heads\": 2, \"num_hidden_layers\": 8, "
                + "\"max_position_embeddings\": 32768, \"vocab_size\": 32000}");
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<String> model = (javafx.scene.control.ComboBox<String>) robot.lookup("#modelChoice").query();
        Platform.runLater(() -> model.setValue(config.toString()));
        waitFor(() -> editor.state().context().model().totalLayers() == 8);
        assertEquals("Qwen2-tiny", editor.state().context().model().name(), "named from the config, not from its folder");
        @SuppressWarnings("unchecked")
        Spinner<Integer> seq = (Spinner<Integer>) robot.lookup("#seqSpinner").query();
        assertEquals(32768, seq.getValue(), "the length it would train at is shown");
        Platform.runLater(() -> seq.getValueFactory().setValue(4096));
        waitFor(() -> editor.state().context().model().maxSeqLength() == 4096);
        assertEquals(4096, settings().seqLength());
        // the micro-batch size sets the chunks
        @SuppressWarnings("unchecked")
        Spinner<Integer> micro = (Spinner<Integer>) robot.lookup("#microBatchSpinner").query();
        int chunksBefore = editor.plan().chunks();
        int mbs = editor.estimate().microBatchSize();
        if (mbs > 1) {
            Platform.runLater(() -> micro.getValueFactory().setValue(1));
            waitFor(() -> editor.estimate().microBatchSize() == 1);
            assertTrue(editor.plan().chunks() > chunksBefore);
        } else {
            Platform.runLater(() -> micro.getValueFactory().setValue(2));
            waitFor(() -> editor.estimate().microBatchSize() == 2);
            assertTrue(editor.plan().chunks() < chunksBefore || chunksBefore == 1);
        }
    }
}
