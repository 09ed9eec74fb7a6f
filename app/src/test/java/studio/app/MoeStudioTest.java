package studio.app;

import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.project.TestContexts;
import studio.engine.plan.ExpertPlacement;
import studio.engine.plan.TargetRuntime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An MoE model in the studio: its 3.0 YAML opens with estimated profiles (said so), the grid shows the expert
 * placement (EP, expert TP), an edit re-costs and undoes, a saved project and the export keep the placement.
 */
class MoeStudioTest extends StudioWindow {
    @TempDir Path tmp;

    @Start
    void start(Stage stage) {
        startWindow(stage);
    }

    /** Galvatron 3.0's tree in a temporary folder: the shipped Mixtral model and hardware, a 4-layer search YAML. */
    private Path mixtralYaml() throws Exception {
        Path g3 = TestContexts.samples().resolve("galvatron3");
        Path root = tmp.resolve("galvatron3");
        Files.createDirectories(root.resolve("models/moe/scripts"));
        Files.createDirectories(root.resolve("models/model_configs"));
        Files.createDirectories(root.resolve("profile_hardware/hardware_configs"));
        Files.copy(g3.resolve("models/model_configs/mixtral-8x7b-e8k2.yaml"), root.resolve("models/model_configs/mixtral-8x7b-e8k2.yaml"));
        try (var files = Files.list(g3.resolve("profile_hardware/hardware_configs"))) {
            for (Path f : files.toList()) Files.copy(f, root.resolve("profile_hardware/hardware_configs").resolve(f.getFileName()));
        }
        String yaml = Files.readString(g3.resolve("models/moe/scripts/search_mixtral-8x7b-e8k2_32k.yaml"))
                .replace("SEQ_LENGTH: 32768", "SEQ_LENGTH: 8192")
                .replace("    set_layernum_manually: 0", "    set_layernum_manually: 1\n    num_layers: 4");
        Path file = root.resolve("models/moe/scripts/search_mixtral-4layers.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @SuppressWarnings("unchecked")
    @Test
    void anMoeYamlOpensWithItsExpertPlacementEditableSavedAndExported(FxRobot robot) throws Exception {
        Path yaml = mixtralYaml();
        WaitForAsyncUtils.asyncFx(() -> window.openYaml(yaml)).get(10, TimeUnit.SECONDS).get(120, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TargetRuntime.GALVATRON_V3, editor.state().context().target());
        assertTrue(editor.hasExperts());
        assertTrue(editor.state().context().isEstimated(), "Galvatron profiles no MoE layer: the layers are estimated");
        assertTrue(editor.state().context().estimated().contains("ESTIMATED"), editor.state().context().estimated());
        TableView<?> table = robot.lookup("#layerTable").queryAs(TableView.class);
        var ep = table.getColumns().stream().filter(c -> "epColumn".equals(c.getId())).findFirst().orElseThrow();
        var expertTp = table.getColumns().stream().filter(c -> "expertTpColumn".equals(c.getId())).findFirst().orElseThrow();
        assertTrue(ep.isVisible() && expertTp.isVisible(), "the expert columns show for an MoE model");
        assertEquals(List.of(1, 2, 4, 8), editor.legalEp(), "ep divides the 8 experts and the 16 GPUs of the stage");

        // an edit: every layer's experts over 8 GPUs; the cost follows, undo goes back
        List<ExpertPlacement> before = editor.plan().experts();
        double throughputBefore = editor.estimate().throughput();
        List<Integer> all = IntStream.range(0, editor.plan().layerCount()).boxed().toList();
        ExpertPlacement target = before.get(0).equals(new ExpertPlacement(8, 1)) ? new ExpertPlacement(2, 1) : new ExpertPlacement(8, 1);
        assertTrue(WaitForAsyncUtils.asyncFx(() -> editor.setExperts(all, target.ep(), target.expertTp())).get(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(editor.plan().experts().stream().allMatch(target::equals), editor.plan().experts().toString());
        assertNotEquals(throughputBefore, editor.estimate().throughput(), 1e-9, "the experts' placement is costed");
        assertEquals(target.ep(), table.getColumns().get(table.getColumns().indexOf(ep)).getCellData(0));
        assertFalse(WaitForAsyncUtils.asyncFx(() -> editor.setExperts(all, 16, 1)).get(10, TimeUnit.SECONDS), "16 does not divide 8 experts");
        WaitForAsyncUtils.asyncFx(() -> editor.undo()).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before, editor.plan().experts());
        WaitForAsyncUtils.asyncFx(() -> editor.redo()).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();

        // a batch edit keeps the placement (the plan's other fields are carried, not rebuilt)
        assertTrue(WaitForAsyncUtils.asyncFx(() -> editor.setBatch(editor.plan().globalBatch() * 2, editor.plan().chunks())).get(10, TimeUnit.SECONDS),
                editor.messageProperty().get());
        assertTrue(editor.plan().experts().stream().allMatch(target::equals));

        // the charts split the experts' states and exchange out; the explain view offers the other placements
        var memory = window.charts().data().memory();
        assertTrue(memory.getRowKeys().contains(studio.app.charts.ChartData.EXPERT_STATES), memory.getRowKeys().toString());
        assertTrue(memory.getValue(studio.app.charts.ChartData.EXPERT_STATES, "stage 0").doubleValue() > 0);
        var time = window.charts().data().time();
        assertTrue(time.getRowKeys().contains(studio.app.charts.ChartData.EXPERT_EXCHANGE), "ep 8 or 2 exchanges tokens: " + time.getRowKeys());
        var explanation = studio.app.explain.LayerExplanation.of(editor.state().context(), editor.plan(), 0);
        assertTrue(explanation.alternatives().stream().anyMatch(a -> !a.experts().equals(target) && a.strategy().equals(editor.plan().layers().get(0))),
                "other expert placements of the same strategy are compared");
        // the what-if curve against ep: one point per ep the experts allow, this plan's at its own ep
        var curve = studio.app.whatif.WhatIf.throughputByExpertParallel(editor.state().context(), editor.plan());
        assertEquals(List.of(1.0, 2.0, 4.0, 8.0), curve.stream().map(studio.app.whatif.WhatIf.Point::x).toList());

        // the project and the export keep it
        Path project = tmp.resolve("moe.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(project)).get(10, TimeUnit.SECONDS));
        var plan = editor.plan();
        WaitForAsyncUtils.asyncFx(() -> window.openProject(project)).get(10, TimeUnit.SECONDS).get(120, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(plan.experts(), editor.plan().experts(), "reopened with its expert placement");
        MainWindow.Export e = WaitForAsyncUtils.asyncFx(() -> window.exportTo(tmp.resolve("out"))).get(10, TimeUnit.SECONDS);
        String config = Files.readString(e.file());
        assertTrue(config.contains("\"ep_sizes_enc\": \"" + target.ep() + "," + target.ep()) && config.contains("\"tp_of_ep_sizes_enc\""), config);
    }
}
