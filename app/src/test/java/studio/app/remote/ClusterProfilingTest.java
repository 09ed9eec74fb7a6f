package studio.app.remote;

import studio.testsupport.PythonTorch;
import javafx.scene.control.Label;
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
import studio.app.project.ClusterSettings;
import studio.app.project.ContextLoader;
import studio.app.project.PlanEditor;
import studio.app.project.TestContexts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Profile model" and "Profile hardware" for real: a real SSH server on loopback runs the real runner jar, which
 * profiles with DJL (and the torch program where the machine has torch); the files come home and the plan is re-costed.
 */
@ExtendWith(ApplicationExtension.class)
class ClusterProfilingTest {
    @TempDir
    static Path dir;
    static LoopbackSshServer server;
    PlanEditor editor;
    MainWindow window;
    ContextLoader loader;

    static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();
    /** Each test its own node folder, measured folder and model. */
    Path home;

    @Start
    void start(Stage stage) throws Exception {
        home = Files.createDirectories(dir.resolve("run" + RUNS.incrementAndGet()));
        server = new LoopbackSshServer(home.resolve("ssh"));
        editor = new PlanEditor();
        loader = new ContextLoader(TestContexts.samples(), home.resolve("measured"));
        window = LoopbackStudio.show(stage, editor, loader, home);
    }

    /** A small llama, as a Hugging Face folder (the folder names the model). */
    private Path tinyLlama(String name) throws IOException {
        Path model = Files.createDirectories(home.resolve(name)).resolve("config.json");
        Files.writeString(model, """
                {"model_type": "llama", "hidden_size": 256, "num_attention_heads": 8, "num_key_value_heads": 2,
                 "intermediate_size": 688, "num_hidden_layers": 8, "vocab_size": 1000, "max_position_embeddings": 128}
                """);
        return model;
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @SuppressWarnings("unchecked")
    private static javafx.scene.control.Spinner<Integer> spinner(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(javafx.scene.control.Spinner.class);
    }

    @Test
    void profilesComeHomeAndThePlanIsRecostedOnThem(FxRobot robot) throws Exception {
        Path model = tinyLlama("tiny-llama");
        ClusterSettings s = ClusterSettings.sample().withModel(model.toString()).withCluster(1, 2).withGpu("H100-80GB-SXM");
        WaitForAsyncUtils.asyncFx(() -> window.reload(s)).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> editor.state() != null);
        assertTrue(editor.state().context().isEstimated());
        assertFalse(editor.state().context().isClusterMeasured());
        Label source = robot.lookup("#profileSourceLabel").queryAs(Label.class);
        assertEquals("ESTIMATED profiles", source.getText());

        RemoteViewModel vm = window.remoteModel();
        String python = PythonTorch.find();
        WaitForAsyncUtils.asyncFx(() -> {
            vm.hosts().add(server.host());
            // small measurements: what a user would type for a quick look
            robot.lookup("#profilePython").queryTextInputControl().setText(python == null ? "python3" : python);
            spinner(robot, "#profileBatch").getValueFactory().setValue(4);
            spinner(robot, "#profileIters").getValueFactory().setValue(2);
            spinner(robot, "#profileBandwidthMb").getValueFactory().setValue(1);
            robot.lookup("#profileSpSizes").queryTextInputControl().setText("1,2,3,4,5,6,7,8");
        }).get(5, TimeUnit.SECONDS);
        assertEquals(new ClusterProfiler.Options(4, 2, 2, 1, "1,2,3,4,5,6,7,8", 2, python == null ? "python3" : python),
                vm.profileOptionsProperty().get());
        robot.clickOn("#remoteTab");
        robot.clickOn("#profileModel");
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !vm.busyProperty().get() && editor.state().context().isClusterMeasured());
        var ctx = editor.state().context();
        assertTrue(ctx.clusterMeasured().contains("model profile"), ctx.clusterMeasured());
        assertTrue(Files.isRegularFile(home.resolve("measured").resolve("computation_profiling_bf16_" + ctx.model().name() + ".json")),
                () -> home.resolve("measured").toFile().list().length + " " + String.join(",", home.resolve("measured").toFile().list()));
        // the layer's real parameter count, 4 bytes each, is what the plan is now costed with
        long params = 256L * 12 * 32 + 256L * 256 + 3L * 256 * 688 + 2 * 256;
        assertEquals(params * 4 / 1048576.0, ctx.profiles().layerMemory().get(0).parameterSizeMb(), 1e-9);
        assertEquals("ESTIMATED + cluster-measured profiles", source.getText());
        assertTrue(vm.statusProperty().get().contains("model profile measured on"), vm.statusProperty().get());
        assertEquals(1.0, vm.profileProgressProperty().get(), 1e-12);

        if (python == null) return; // the torch program needs a Python with torch (.ci/run installs Debian's)
        robot.clickOn("#profileHardware");
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !vm.busyProperty().get() && !editor.state().context().isEstimated());
        assertEquals("cluster-measured profiles", source.getText());
        assertTrue(Files.isRegularFile(loader.measuredHardwareDir().resolve("allreduce_bandwidth_1nodes_2gpus_per_node.json")));
        assertTrue(editor.estimate().iterationS() > 0, () -> editor.estimate().toString());
        // the optimizer step the hardware profiler timed (Galvatron's files have none) now ends each stage's timeline
        assertTrue(Files.isRegularFile(loader.measuredHardwareDir().resolve(studio.engine.profile.OptimizerStepProfile.FILE)));
        assertTrue(editor.state().context().optimizerStep() != null, editor.state().context().clusterMeasured());
        assertTrue(editor.state().context().clusterMeasured().contains("optimizer step measured"), editor.state().context().clusterMeasured());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> window.timelineView().timeline() != null
                && window.timelineView().timeline().partMs(0, studio.engine.schedule.PipelineSchedule.PartKind.OPTIMIZER) > 0);
    }

    @Test
    void aCancelledProfileResumesWhereItStopped(FxRobot robot) throws Exception {
        Path model = tinyLlama("tiny-llama-2");
        ClusterSettings s = ClusterSettings.sample().withModel(model.toString()).withCluster(1, 2).withGpu("H100-80GB-SXM");
        WaitForAsyncUtils.asyncFx(() -> window.reload(s)).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> editor.state() != null && editor.state().context().settings().equals(s));
        RemoteViewModel vm = window.remoteModel();
        WaitForAsyncUtils.asyncFx(() -> {
            vm.hosts().add(server.host());
            spinner(robot, "#profileIters").getValueFactory().setValue(40); // slow enough to cancel in the middle
        }).get(5, TimeUnit.SECONDS);
        robot.clickOn("#remoteTab");
        robot.clickOn("#profileModel");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.profileProgressProperty().get() > 0);
        robot.clickOn("#cancelProfile");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.profilingProperty().get());
        assertTrue(vm.statusProperty().get().contains("Profile cancelled"), vm.statusProperty().get());
        assertFalse(editor.state().context().isClusterMeasured());
        Path progress = home.resolve("node/profiles/model/.model-profile/progress.json");
        var saved = studio.engine.io.JsonFiles.readObject(progress).get("times");
        assertTrue(saved.size() >= 1 && saved.size() < 2 + 1, saved.toString());
        String firstKey = saved.fieldNames().next();

        // again: what was measured is kept, the rest is measured, the plan is re-costed
        robot.clickOn("#profileModel");
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !vm.profilingProperty().get() && editor.state().context().isClusterMeasured());
        var computation = studio.engine.io.JsonFiles.readObject(loader.measuredRoot().resolve(
                "computation_profiling_bf16_" + editor.state().context().model().name() + ".json"));
        // kept as measured, unless the noise check timed that pair again (the runner then lists it as retimed)
        var retimed = studio.engine.io.JsonFiles.readObject(progress).path("retimed");
        boolean timedAgain = false;
        for (var k : retimed) timedAgain |= k.asText().equals(firstKey);
        if (!timedAgain) assertEquals(saved.get(firstKey).asDouble(), computation.get(firstKey).asDouble(), 0.0);
    }
}
