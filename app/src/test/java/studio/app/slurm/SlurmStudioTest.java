package studio.app.slurm;

import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import studio.app.MainWindow;
import studio.app.StudioWindow;
import studio.app.cluster.JobState;
import studio.app.cluster.SlurmJob;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;
import studio.app.remote.OpenSshServer;
import studio.app.remote.RemoteSetup;
import studio.app.remote.RemoteTrainingTest;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio on a real Slurm cluster through a real OpenSSH login node: the settings typed in the cluster tab, the
 * script prepared, edited and submitted, the job tracked to its end with its events in the live charts, a long job
 * followed through a dropped connection and after the project is opened again, and cancelled from its button.
 */
class SlurmStudioTest extends StudioWindow {
    @TempDir
    static Path shared;
    static SlurmCluster cluster;
    static OpenSshServer login;
    static Path key;
    studio.app.project.ContextLoader loader;

    @BeforeAll
    static void startCluster() throws Exception {
        SlurmCluster.assumeInstalled();
        OpenSshServer.assumeInstalled();
        cluster = new SlurmCluster(shared.resolve("slurm"));
        key = OpenSshServer.keygen(shared.resolve("keys/id_ed25519"), "ed25519", "");
        login = new OpenSshServer(shared.resolve("sshd"), "ed25519", List.of(Path.of(key + ".pub")), "");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (login != null) login.close();
        if (cluster != null) cluster.close();
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        editor = new PlanEditor();
        loader = new studio.app.project.ContextLoader(TestContexts.samples(), appDir.resolve("measured"));
        window = new MainWindow(editor, loader, new ProjectStore(appDir),
                new RemoteSetup(RemoteTrainingTest.runnerJar(), "~/.galvatron-studio", shared.resolve("known_hosts"), (h, t, f) -> true));
        stage.setScene(window.newScene());
        window.attach(stage);
        stage.setWidth(1400);
        stage.setHeight(1000);
        stage.show();
    }

    /** Waits for {@code condition}; a timeout says what the Slurm section's status line said. */
    private static void until(SlurmViewModel vm, java.util.function.BooleanSupplier condition) throws Exception {
        try {
            waitFor(condition);
        } catch (AssertionError e) {
            throw new AssertionError("timed out; the Slurm status says: " + vm.statusProperty().get() + "; jobs: " + vm.jobs(), e);
        }
    }

    /** The cluster tab set to Slurm, the login node added, the settings typed. */
    private SlurmViewModel slurmTab(FxRobot robot) throws Exception {
        robot.clickOn("#remoteTab");
        robot.clickOn("#clusterSlurm");
        robot.clickOn("#hostField").write("127.0.0.1");
        robot.doubleClickOn("#portField").write(String.valueOf(login.port));
        robot.doubleClickOn("#keyField").eraseText(80).write(key.toString());
        robot.clickOn("#addHost");
        SlurmViewModel vm = window.slurmModel();
        WaitForAsyncUtils.asyncFx(() -> {
            vm.partition.set("debug");
            vm.timeLimit.set("5");
            vm.gpusPerNode.set("0"); // this cluster's node has no GPUs (the runner measures on its CPUs)
            vm.workDir.set(shared.resolve("work").toString());
            vm.loginSetup.set(cluster.loginSetup());
        }).get(5, TimeUnit.SECONDS);
        return vm;
    }

    @Test
    void profilesRunAsJobsAndThePlanIsRecostedOnWhatTheyMeasured(FxRobot robot) throws Exception {
        Path model = Files.createDirectories(appDir.resolve("tiny-llama")).resolve("config.json");
        Files.writeString(model, """
                {"model_type": "llama", "hidden_size": 256, "num_attention_heads": 8, "num_key_value_heads": 2,
                 "intermediate_size": 688, "num_hidden_layers": 8, "vocab_size": 1000, "max_position_embeddings": 128}
                """);
        var settings = studio.app.project.ClusterSettings.sample().withModel(model.toString()).withCluster(1, 2).withGpu("H100-80GB-SXM");
        WaitForAsyncUtils.asyncFx(() -> window.reload(settings)).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> editor.state() != null);
        assertTrue(editor.state().context().isEstimated());
        SlurmViewModel vm = slurmTab(robot);
        String python = studio.testsupport.PythonTorch.find();
        WaitForAsyncUtils.asyncFx(() -> {
            // small measurements, as in the SSH profiling test
            robot.lookup("#profilePython").queryTextInputControl().setText(python == null ? "python3" : python);
            robot.lookup("#profileSpSizes").queryTextInputControl().setText("1,2,3,4,5,6,7,8");
            @SuppressWarnings("unchecked")
            var batch = (javafx.scene.control.Spinner<Integer>) robot.lookup("#profileBatch").queryAs(javafx.scene.control.Spinner.class);
            batch.getValueFactory().setValue(4);
            @SuppressWarnings("unchecked")
            var iters = (javafx.scene.control.Spinner<Integer>) robot.lookup("#profileIters").queryAs(javafx.scene.control.Spinner.class);
            iters.getValueFactory().setValue(2);
            @SuppressWarnings("unchecked")
            var mb = (javafx.scene.control.Spinner<Integer>) robot.lookup("#profileBandwidthMb").queryAs(javafx.scene.control.Spinner.class);
            mb.getValueFactory().setValue(1);
        }).get(5, TimeUnit.SECONDS);
        robot.clickOn("#slurmProfileModel");
        until(vm, () -> vm.script.get().contains("profile-model") && !vm.busyProperty().get());
        robot.clickOn("#slurmSubmit");
        until(vm, () -> editor.state().context().isClusterMeasured());
        assertEquals(JobState.COMPLETED, job(0).state());
        assertTrue(editor.state().context().clusterMeasured().contains("model profile"), editor.state().context().clusterMeasured());
        assertTrue(Files.isRegularFile(loader.measuredRoot().resolve("computation_profiling_bf16_" + editor.state().context().model().name() + ".json")));

        if (python == null) return; // the hardware profile's torch program needs a Python with torch (.ci/run installs Debian's)
        robot.clickOn("#slurmProfileHardware");
        until(vm, () -> vm.script.get().contains("profile-hardware") && !vm.busyProperty().get());
        robot.clickOn("#slurmSubmit");
        until(vm, () -> !editor.state().context().isEstimated());
        assertEquals(JobState.COMPLETED, job(1).state());
        assertTrue(Files.isRegularFile(loader.measuredHardwareDir().resolve("allreduce_bandwidth_1nodes_2gpus_per_node.json")));
    }

    private SlurmJob job(int index) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> window.slurmModel().jobs().get(index)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aJobFromThePlanIsTrackedIntoTheLiveChartsAndFollowedAgainAfterTheProjectOpens(FxRobot robot) throws Exception {
        openSample();
        SlurmViewModel vm = slurmTab(robot);
        WaitForAsyncUtils.asyncFx(() -> {
            vm.training.engine.set("djl");
            vm.training.iterations.set(15);
        }).get(5, TimeUnit.SECONDS);
        robot.clickOn("#slurmPrepare");
        until(vm, () -> vm.script.get().contains("#SBATCH --partition=debug") && !vm.busyProperty().get());
        // the user edits the script before it goes: the edit is what Slurm runs
        WaitForAsyncUtils.asyncFx(() -> vm.script.set(vm.script.get().replace("set -euo pipefail\n", "set -euo pipefail\necho edited by the user\n")))
                .get(5, TimeUnit.SECONDS);
        robot.clickOn("#slurmSubmit");
        until(vm, () -> !vm.jobs().isEmpty());
        until(vm, () -> vm.jobs().get(0).state() == JobState.COMPLETED);
        SlurmJob done = job(0);
        assertEquals(0, done.exitStatus());
        assertTrue(window.dirtyProperty().get(), "a submitted job is an unsaved change of the project: closing asks first");
        until(vm, () -> window.remoteModel().loss().getItemCount() == 15);
        assertEquals(15, window.remoteModel().iterationTime().getItemCount(), "the job's iterations in the live charts");
        assertTrue(Files.readString(Path.of(done.outputFile())).contains("edited by the user"), "the edited script ran");
        @SuppressWarnings("unchecked")
        TableView<SlurmJob> table = robot.lookup("#slurmJobs").queryAs(TableView.class);
        assertEquals(1, table.getItems().size());

        // the screenshot of a tracked job in the README comes from here
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        var image = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png", shots.resolve("slurm-job.png").toFile());

        // a long job: followed through a dropped connection, then after the project is opened again
        WaitForAsyncUtils.asyncFx(() -> vm.training.iterations.set(1_000_000)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#slurmPrepare");
        until(vm, () -> vm.script.get().contains("1000000") && !vm.busyProperty().get());
        robot.clickOn("#slurmSubmit");
        until(vm, () -> vm.jobs().size() == 2 && vm.jobs().get(1).state() == JobState.RUNNING);
        login.dropConnections();
        long before = job(1).eventsRead();
        until(vm, () -> vm.statusProperty().get().contains("Lost the login node"));
        until(vm, () -> vm.jobs().get(1).eventsRead() > before + 200);
        Path project = appDir.resolve("slurm.gsp.json");
        assertTrue(WaitForAsyncUtils.asyncFx(() -> window.saveProject(project)).get(10, TimeUnit.SECONDS));
        String saved = Files.readString(project);
        assertTrue(saved.contains("\"slurm_jobs\"") && saved.contains("\"partition\" : \"debug\""), saved);
        WaitForAsyncUtils.asyncFx(() -> vm.stopTracking()).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> window.openProject(project)).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(studio.app.cluster.ClusterKind.SLURM, window.clusterKindProperty().get(), "the project reopens as a Slurm cluster");
        assertEquals(2, vm.jobs().size());
        assertTrue(job(0).script().contains("echo edited by the user"), "each job keeps its script as submitted, the user's edit included");
        long reopened = job(1).eventsRead();
        until(vm, () -> vm.jobs().get(1).eventsRead() > reopened);
        robot.clickOn("#slurmJobs");
        WaitForAsyncUtils.asyncFx(() -> table.getSelectionModel().select(1)).get(5, TimeUnit.SECONDS);
        robot.clickOn("#slurmCancel");
        until(vm, () -> vm.jobs().get(1).state() == JobState.CANCELLED);
        assertEquals("", cluster.run(List.of("squeue", "-h")).strip(), "nothing left running");
    }
}
