package studio.app.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.StudioWindow;
import studio.app.cluster.ClusterKind;
import studio.app.cluster.KubernetesSettings.ManifestKind;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster tab's Kubernetes section in a real window: the settings typed, a bad one named, the plan's manifest
 * prepared (its config the plan's, its objects valid), edited, written for kubectl, and kept with the project.
 */
class KubernetesStudioTest extends StudioWindow {
    @Start
    void start(Stage stage) {
        startWindow(stage);
    }

    @Test
    void thePlansManifestIsPreparedEditedWrittenAndKept(FxRobot robot) throws Exception {
        openSample();
        KubernetesViewModel vm = window.kubernetesModel();
        robot.clickOn("#remoteTab");
        robot.clickOn("#clusterKubernetes");
        assertEquals(ClusterKind.KUBERNETES, window.clusterKindProperty().get());
        robot.clickOn("#k8sModelDir").write("/opt/Hetu-Galvatron/galvatron/models/llama_hf");
        robot.clickOn("#k8sPrepare");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(vm.statusProperty().get().startsWith("Kubernetes image:"), "an empty image is named: " + vm.statusProperty().get());
        assertEquals("", vm.manifest.get(), "nothing half-made");

        robot.clickOn("#k8sImage").write("nvcr.io/example/galvatron:24.05");
        robot.clickOn("#k8sPrepare");
        WaitForAsyncUtils.waitForFxEvents();
        String manifest = vm.manifest.get();
        List<JsonNode> docs = KubernetesManifestTest.documents(manifest);
        assertEquals(List.of("ConfigMap", "PyTorchJob"), docs.stream().map(d -> d.path("kind").asText()).toList(), vm.statusProperty().get());
        assertTrue(KubernetesManifestTest.pyTorchJobSchema().validate(docs.get(1)).isEmpty());
        var cluster = editor.state().context().settings();
        assertEquals(String.valueOf(cluster.gpusPerNode()), docs.get(1).at("/spec/nprocPerNode").asText());
        int replicas = docs.get(1).at("/spec/pytorchReplicaSpecs/Master/replicas").asInt()
                + docs.get(1).at("/spec/pytorchReplicaSpecs/Worker/replicas").asInt(0);
        assertEquals(cluster.nodes(), replicas, "a pod a node of the plan's cluster");
        // the ConfigMap's config is the edited plan
        Path config = Files.writeString(appDir.resolve("from-manifest.json"), docs.get(0).at("/data/galvatron_config.json").asText());
        var loaded = GalvatronConfig.read(config, cluster.worldSize(), PipelineType.GPIPE, DpType.DDP);
        assertEquals(editor.plan().layers(), loaded.plan().layers());
        assertEquals(editor.plan().pp(), loaded.plan().pp());
        assertTrue(docs.get(0).at("/data/launch.sh").asText().contains("--galvatron_config_path /etc/galvatron-studio/galvatron_config.json"));

        // the user's edit is what is written and what the project keeps
        String edited = manifest.replace("# Written by Galvatron Studio", "# reviewed by ops\n# Written by Galvatron Studio");
        WaitForAsyncUtils.asyncFx(() -> vm.manifest.set(edited)).get(5, TimeUnit.SECONDS);
        assertTrue(window.dirtyProperty().get(), "an edited manifest is unsaved work");
        Path out = appDir.resolve("k8s/llama.yaml");
        Files.createDirectories(out.getParent());
        assertTrue(WaitForAsyncUtils.asyncFx(() -> vm.write(out)).get(10, TimeUnit.SECONDS));
        assertEquals(edited, Files.readString(out));
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "written atomically: no temporary file left beside it");
        }

        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        var image = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png", shots.resolve("kubernetes-manifest.png").toFile());

        Path project = appDir.resolve("k8s.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(project)).get(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.asyncFx(() -> {
            vm.image.set("");
            vm.manifest.set("");
            window.clusterKindProperty().set(ClusterKind.SSH_NODES);
        }).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> window.openProject(project)).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(ClusterKind.KUBERNETES, window.clusterKindProperty().get(), "the project reopens as a Kubernetes cluster");
        assertEquals("nvcr.io/example/galvatron:24.05", vm.image.get());
        assertEquals(edited, vm.manifest.get(), "the edited manifest comes back");
        assertFalse(window.dirtyProperty().get(), "opening is not a change");

        // without the operator: an indexed Job and its headless Service
        WaitForAsyncUtils.asyncFx(() -> vm.kind.set(ManifestKind.INDEXED_JOB)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#k8sPrepare");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of("ConfigMap", "Service", "Job"), KubernetesManifestTest.documents(vm.manifest.get()).stream()
                .map(d -> d.path("kind").asText()).toList());
    }
}
