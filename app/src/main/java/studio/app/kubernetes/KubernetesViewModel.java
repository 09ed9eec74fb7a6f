package studio.app.kubernetes;

import javafx.beans.Observable;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import studio.app.cluster.KubernetesSettings;
import studio.app.cluster.KubernetesSettings.ManifestKind;
import studio.app.project.PlanEditor;
import studio.app.remote.TrainRequest;
import studio.app.remote.TrainingOptionsForm;
import studio.engine.io.JsonFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Kubernetes for the cluster tab: the settings as a form, the plan's manifest prepared for the user to read and edit,
 * and written (atomically) where {@code kubectl apply -f} takes it. The manifest is project state: edits are kept.
 */
public final class KubernetesViewModel {
    public final ObjectProperty<ManifestKind> kind = new SimpleObjectProperty<>(ManifestKind.PYTORCH_JOB);
    public final StringProperty namespace = new SimpleStringProperty("default");
    public final StringProperty image = new SimpleStringProperty("");
    public final StringProperty imagePullSecret = new SimpleStringProperty("");
    public final StringProperty gpuResource = new SimpleStringProperty("nvidia.com/gpu");
    public final StringProperty volumeClaim = new SimpleStringProperty("");
    public final StringProperty mountPath = new SimpleStringProperty("/data");
    public final StringProperty sharedMemoryGi = new SimpleStringProperty("64");
    public final StringProperty nodeSelector = new SimpleStringProperty("");
    public final StringProperty environment = new SimpleStringProperty("");
    /** The manifest to write: prepared from the plan, then the user's to edit. */
    public final StringProperty manifest = new SimpleStringProperty("");
    /** What the pods train; its model folder is the one inside the image. */
    public final TrainingOptionsForm training = new TrainingOptionsForm();

    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final PlanEditor editor;
    private final Supplier<String> galvatron3ModelSize;

    /**
     * @param galvatron3ModelSize the model name of a project that targets Galvatron 3.0, else null
     */
    public KubernetesViewModel(PlanEditor editor, Supplier<String> galvatron3ModelSize) {
        this.editor = editor;
        this.galvatron3ModelSize = galvatron3ModelSize;
    }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }

    /** What the project keeps: a change to any of them is unsaved work. */
    public List<Observable> edits() {
        return List.of(kind, namespace, image, imagePullSecret, gpuResource, volumeClaim, mountPath, sharedMemoryGi, nodeSelector, environment,
                manifest, training.modelDir);
    }

    /** The form as settings; a field Kubernetes would not take is an IllegalArgumentException naming it. */
    public KubernetesSettings settings() {
        int shm;
        try {
            shm = Integer.parseInt(sharedMemoryGi.get().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Kubernetes shared memory: expected whole GiB for /dev/shm, got '" + sharedMemoryGi.get() + "'");
        }
        return new KubernetesSettings(kind.get(), namespace.get(), image.get(), imagePullSecret.get(), training.modelDir.get(), gpuResource.get(),
                volumeClaim.get(), mountPath.get(), shm, lines(nodeSelector.get()), lines(environment.get()));
    }

    /** The form as the project saves it (null while a field is invalid). */
    public KubernetesSettings settingsOrNull() {
        try {
            return settings();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The project's settings back into the form. */
    public void show(KubernetesSettings s) {
        if (s == null) return;
        kind.set(s.kind());
        namespace.set(s.namespace());
        image.set(s.image());
        imagePullSecret.set(s.imagePullSecret());
        training.modelDir.set(s.modelDir());
        gpuResource.set(s.gpuResource());
        volumeClaim.set(s.volumeClaim());
        mountPath.set(s.mountPath());
        sharedMemoryGi.set(String.valueOf(s.sharedMemoryGi()));
        nodeSelector.set(String.join("\n", s.nodeSelector()));
        environment.set(String.join("\n", s.environment()));
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** Renders the plan's manifest into {@link #manifest}; what is missing or wrong goes to the status line instead. */
    public void prepare() {
        if (editor.state() == null || editor.plan() == null) {
            status.set("Open a plan first");
            return;
        }
        if (!training.engine.get().equals("galvatron")) {
            status.set("A pod runs Galvatron's runtime from its image: choose the galvatron engine (the smoke trainer runs in the runner, over SSH or Slurm)");
            return;
        }
        try {
            KubernetesSettings s = settings();
            var ctx = editor.state().context();
            var cluster = ctx.settings();
            String size3 = galvatron3ModelSize.get();
            TrainRequest request = training.request(editor, size3);
            String configJson = request.planConfig(editor.plan(), cluster.worldSize());
            boolean asConfig = configJson != null;
            String configFile = asConfig ? "galvatron_config.json" : null;
            // 3.0's model YAML where Galvatron keeps them, beside the image's model folders
            String modelYaml = parent(s.modelDir()) + "/model_configs/" + request.modelSize() + ".yaml";
            var launch = request.launch(asConfig ? KubernetesManifest.CONFIG_MOUNT + "/" + configFile : null, modelYaml, KubernetesManifest.CONVERTED);
            var conversion = request.hfCheckpoint() == null && request.exportHf() == null ? null
                    : new KubernetesManifest.Conversion("python3", request.extras().modelType(), request.hfCheckpoint(), request.exportHf());
            // no runner checks a pod's launch: the runner's rules, here
            if (conversion != null) {
                var problems = studio.engine.launch.CheckpointConversion.problems(conversion.modelType(), conversion.exportHf() != null,
                        request.save() != null);
                if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
            }
            String about = editor.planSummary() + ", " + request.target().label();
            String name = KubernetesManifest.jobName(ctx.model().name() + "-" + cluster.nodes() + "x" + cluster.gpusPerNode());
            manifest.set(KubernetesManifest.render(s, new KubernetesManifest.Job(name, cluster.nodes(), cluster.gpusPerNode(), request.masterPort(),
                    launch, configFile, configJson, conversion, about)));
            status.set("Prepared " + s.kind() + " '" + name + "' in namespace " + s.namespace() + ": read it, edit it if you like, then write it");
        } catch (IllegalArgumentException e) {
            status.set(e.getMessage());
        }
    }

    private static String parent(String dir) {
        String d = dir.endsWith("/") && dir.length() > 1 ? dir.substring(0, dir.length() - 1) : dir;
        int slash = d.lastIndexOf('/');
        return slash <= 0 ? "" : d.substring(0, slash);
    }

    /** Writes the manifest as it stands (the user's edits kept) to {@code file}, atomically. */
    public boolean write(Path file) {
        if (manifest.get().isBlank()) {
            status.set("Prepare the manifest first");
            return false;
        }
        try {
            JsonFiles.writeAtomically(file, manifest.get());
            status.set("Wrote " + file + ": kubectl apply -f " + file.getFileName());
            return true;
        } catch (IOException e) {
            status.set("Could not write " + file + ": " + e.getMessage());
            return false;
        }
    }
}
