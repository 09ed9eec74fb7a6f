package studio.app.kubernetes;

import javafx.geometry.Insets;
import studio.app.theme.Forms;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import studio.app.cluster.KubernetesSettings.ManifestKind;
import studio.app.remote.TrainingOptionsView;

import java.io.File;

/**
 * The Kubernetes section of the cluster tab: the settings, what the pods train, the manifest to read and edit, and
 * where to write it for {@code kubectl apply -f}. Every field is bound to the view-model.
 */
public final class KubernetesView {
    private final VBox root = new VBox(6);

    public KubernetesView(KubernetesViewModel vm) {
        root.setPadding(new Insets(6));
        root.setId("kubernetesPane");
        ComboBox<ManifestKind> kind = new ComboBox<>();
        kind.getItems().setAll(ManifestKind.values());
        kind.setId("k8sKind");
        kind.valueProperty().bindBidirectional(vm.kind);
        FlowPane where = new FlowPane(6, 6, new VBox(1, new Label("Runs as"), kind), Forms.field("Namespace", "k8sNamespace", vm.namespace, 10),
                Forms.field("Image with Galvatron", "k8sImage", vm.image, 24), Forms.field("Image pull secret", "k8sPullSecret", vm.imagePullSecret, 10),
                Forms.field("GPU resource", "k8sGpuResource", vm.gpuResource, 10), Forms.field("Volume claim (data, checkpoints)", "k8sClaim", vm.volumeClaim, 12),
                Forms.field("Mounted at", "k8sMountPath", vm.mountPath, 10), Forms.field("/dev/shm GiB", "k8sShm", vm.sharedMemoryGi, 4));
        TextArea selector = Forms.area("k8sNodeSelector", vm.nodeSelector, "Node selector: key=value, one a line");
        TextArea env = Forms.area("k8sEnvironment", vm.environment, "Environment: NAME=value, one a line (NCCL_IB_HCA=mlx5, ...)");
        TrainingOptionsView training = new TrainingOptionsView(vm.training, "k8sEngine", "k8sIterations", "k8s");
        Button prepare = Forms.button("Prepare manifest", "k8sPrepare",
                "Writes the plan's ConfigMap and job below, for you to read and edit; the model dir is the one inside the image", vm::prepare);
        Button write = Forms.button("Write manifest…", "k8sWrite", null, () -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Write the Kubernetes manifest");
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Kubernetes manifest", "*.yaml", "*.yml"));
            fc.setInitialFileName("galvatron-job.yaml");
            File f = fc.showSaveDialog(root.getScene() == null ? null : root.getScene().getWindow());
            if (f != null) vm.write(f.toPath());
        });
        write.disableProperty().bind(vm.manifest.isEmpty());
        TextArea manifest = new TextArea();
        manifest.setId("k8sManifest");
        manifest.setPrefRowCount(12);
        manifest.setStyle("-fx-font-family: monospace;");
        manifest.textProperty().bindBidirectional(vm.manifest);
        Label status = studio.app.theme.Forms.status("k8sStatus", vm.statusProperty());
        root.getChildren().addAll(where, new HBox(6, selector, env), training.root(), new HBox(6, prepare, write), manifest, status);
    }

    public Node root() { return root; }
}
