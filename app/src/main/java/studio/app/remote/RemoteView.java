package studio.app.remote;

import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeriesCollection;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.FutureTask;

/** Hosts, the cluster check, training launch and live charts of loss and iteration time against the prediction. */
public final class RemoteView {
    private final BorderPane root = new BorderPane();
    private final RemoteViewModel vm;

    public RemoteView(RemoteViewModel vm) {
        this.vm = vm;
        Label status = new Label();
        status.setId("remoteStatus");
        status.textProperty().bind(vm.statusProperty());
        VBox top = new VBox(6, hostRows(), profilingRows(), launchRows(), status);
        top.setPadding(new Insets(6));
        root.setTop(top);
        root.setCenter(charts());
    }

    /** The hosts: typed in one by one (the first is the master), listed in rank order. */
    private Node hostRows() {
        TextField host = new TextField();
        host.setPromptText("host");
        host.setId("hostField");
        TextField port = new TextField("22");
        port.setPrefColumnCount(5);
        port.setId("portField");
        TextField user = new TextField(System.getProperty("user.name"));
        user.setPrefColumnCount(8);
        user.setId("userField");
        TextField key = new TextField(Path.of(System.getProperty("user.home"), ".ssh", "id_ed25519").toString());
        key.setPrefColumnCount(24);
        key.setId("keyField");
        Button add = new Button("Add host");
        add.setId("addHost");
        Label error = new Label();
        add.setOnAction(e -> {
            try {
                vm.hosts().add(new ClusterHost(host.getText().strip(), Integer.parseInt(port.getText().strip()), user.getText().strip(),
                        key.getText().isBlank() ? null : Path.of(key.getText().strip())));
                error.setText("");
            } catch (RuntimeException ex) {
                error.setText("Not added: " + ex.getMessage());
            }
        });
        TableView<ClusterHost> hosts = new TableView<>(vm.hosts());
        hosts.setPrefHeight(80);
        hosts.getColumns().add(studio.app.theme.Tables.column("Host (rank = order; the first is the master)", ClusterHost::toString));
        hosts.getColumns().add(studio.app.theme.Tables.column("Key", h -> h.keyFile() == null ? "(ssh config, agent, default keys)" : h.keyText()));
        Button remove = new Button("Remove");
        remove.setOnAction(e -> vm.hosts().removeAll(hosts.getSelectionModel().getSelectedItems()));
        hosts.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        return new VBox(6, new HBox(6, host, port, user, key, add, remove, error), hosts);
    }

    /** Checking the hosts against the plan, and the profile buttons with what they measure. */
    private Node profilingRows() {
        Button check = new Button("Check cluster");
        check.setId("checkCluster");
        check.disableProperty().bind(vm.busyProperty());
        check.setOnAction(e -> vm.checkCluster());
        var noHostsOrBusy = vm.busyProperty().or(javafx.beans.binding.Bindings.isEmpty(vm.hosts()));
        Button profileHardware = profileButton("profileHardware", "Profile hardware", "All-reduce, p2p, overlap and SP times on every "
                + "listed node (nccl-tests where installed, else the runner's torch program)", noHostsOrBusy, vm::profileHardware);
        Button profileModel = profileButton("profileModel", "Profile model", "The model's layer timed and sized with DJL on the first "
                + "node (the node's torch where DJL cannot reach its GPUs)", noHostsOrBusy, vm::profileModel);
        // what the profile buttons measure: Galvatron's defaults, changeable here
        ClusterProfiler.Options d = ClusterProfiler.Options.galvatronDefaults();
        TextField python = new TextField(d.python());
        python.setId("profilePython");
        python.setPrefColumnCount(10);
        python.setTooltip(new javafx.scene.control.Tooltip("The Python with torch on the nodes (for the hardware profile and the torch fallback)"));
        Spinner<Integer> profileBatch = new Spinner<>(1, 4096, d.batchSize());
        profileBatch.setId("profileBatch");
        profileBatch.setEditable(true);
        profileBatch.setPrefWidth(80);
        Spinner<Integer> profileIters = new Spinner<>(1, 1000, d.iters());
        profileIters.setId("profileIters");
        profileIters.setEditable(true);
        profileIters.setPrefWidth(80);
        Spinner<Integer> bandwidthMb = new Spinner<>(1, 4096, (int) d.bandwidthSizeMb());
        bandwidthMb.setId("profileBandwidthMb");
        bandwidthMb.setEditable(true);
        bandwidthMb.setPrefWidth(90);
        TextField spSizes = new TextField(d.spSizesMb());
        spSizes.setId("profileSpSizes");
        spSizes.setPrefColumnCount(18);
        spSizes.setTooltip(new javafx.scene.control.Tooltip("Message sizes (MB) of the SP all-reduce / all-to-all tables; at least 8"));
        vm.profileOptionsProperty().bind(javafx.beans.binding.Bindings.createObjectBinding(() -> new ClusterProfiler.Options(
                profileBatch.getValue(), profileIters.getValue(), profileIters.getValue(), bandwidthMb.getValue(), spSizes.getText().strip(),
                profileIters.getValue(), python.getText().strip()), python.textProperty(), profileBatch.valueProperty(),
                profileIters.valueProperty(), bandwidthMb.valueProperty(), spSizes.textProperty()));
        javafx.scene.layout.FlowPane profileRow = new javafx.scene.layout.FlowPane(6, 6, new Label("Profiling: Python on the nodes"), python,
                new Label("Batch size"), profileBatch, new Label("Warm-up and timed iterations"), profileIters,
                new Label("Bandwidth message (MB)"), bandwidthMb, new Label("SP message sizes (MB)"), spSizes);
        Button cancelProfile = new Button("Cancel profile");
        cancelProfile.setId("cancelProfile");
        cancelProfile.disableProperty().bind(vm.profilingProperty().not());
        cancelProfile.setOnAction(e -> vm.cancelProfile());
        javafx.scene.control.ListView<String> findings = new javafx.scene.control.ListView<>(vm.profileFindings());
        findings.setId("profileFindings");
        findings.setPrefHeight(60);
        findings.setStyle("-fx-text-fill: #b26a00;");
        findings.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.profileFindings()));
        findings.managedProperty().bind(findings.visibleProperty());
        javafx.scene.control.ProgressBar profiling = new javafx.scene.control.ProgressBar();
        profiling.setId("profileProgress");
        profiling.progressProperty().bind(vm.profileProgressProperty());
        profiling.visibleProperty().bind(vm.profilingProperty());
        TableView<RemoteViewModel.HostCheck> checks = new TableView<>(vm.checks());
        checks.setId("clusterChecks");
        checks.setPrefHeight(80);
        checks.getColumns().add(studio.app.theme.Tables.column("Host", c -> c.host().toString()));
        checks.getColumns().add(studio.app.theme.Tables.column("GPUs", c -> c.gpus() + " " + c.gpuNames()));
        checks.getColumns().add(studio.app.theme.Tables.column("torch", RemoteViewModel.HostCheck::torch));
        checks.getColumns().add(studio.app.theme.Tables.column("Galvatron", RemoteViewModel.HostCheck::galvatron));
        checks.getColumns().add(studio.app.theme.Tables.column("Against the plan", c -> c.problem().isEmpty() ? "ok" : c.problem()));
        checks.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        return new VBox(6, new HBox(6, check, profileHardware, profileModel, cancelProfile, profiling), profileRow, findings, checks);
    }

    /** Launching the plan (or the smoke trainer) on the hosts, and its runs. */
    private Node launchRows() {
        TrainingOptionsView training = new TrainingOptionsView(vm.training(), "engineChoice", "itersSpinner", "ssh");
        Button launch = new Button("Launch training");
        launch.setId("launchTraining");
        launch.disableProperty().bind(vm.busyProperty());
        // a 3.0 project runs on the 3.0 runtime (its Hydra launch; models/moe for an MoE model), named as its YAML names it
        launch.setOnAction(e -> vm.launchFromForm());
        Button stop = new Button("Stop");
        stop.setId("stopTraining");
        stop.setOnAction(e -> vm.stopAll());
        Label engineNote = new Label();
        engineNote.textProperty().bind(vm.training().engine.map(v -> v.equals("djl")
                ? "djl: the runner's small built-in trainer, a smoke test of the path, not a distributed engine" : "galvatron: torchrun + "
                + "Galvatron's runtime with the plan's galvatron_config"));
        TableView<RemoteRun> runs = new TableView<>(vm.runs());
        runs.setId("runsTable");
        runs.setPrefHeight(90);
        runs.getColumns().add(studio.app.theme.Tables.column("Run", r -> r.runId() + " (rank " + r.rank() + ", " + r.host() + ")"));
        runs.getColumns().add(studio.app.theme.Tables.column("State", RemoteRun::state));
        runs.getColumns().add(studio.app.theme.Tables.column("Measured iteration", r -> r.measuredIterationS() > 0 ? String.format(Locale.ROOT, "%.3f s", r.measuredIterationS()) : ""));
        runs.getColumns().add(studio.app.theme.Tables.column("Predicted", r -> r.predictedIterationS() > 0 ? String.format(Locale.ROOT, "%.3f s", r.predictedIterationS())
                : "n/a (smoke trainer)"));
        runs.getColumns().add(studio.app.theme.Tables.column("Prediction error", r -> r.measuredIterationS() > 0 && r.predictedIterationS() > 0
                ? String.format(Locale.ROOT, "%+.1f %%", (r.predictedIterationS() / r.measuredIterationS() - 1) * 100) : ""));
        runs.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Button reattach = new Button("Re-attach");
        reattach.setOnAction(e -> {
            RemoteRun r = runs.getSelectionModel().getSelectedItem();
            if (r != null) vm.follow(r);
        });
        return new VBox(6, training.root(), new HBox(6, launch, stop, reattach), engineNote, runs);
    }

    /** The live charts of the latest launch: loss, iteration time against the prediction, memory per stage. */
    private Node charts() {
        JFreeChart lossChart = ChartFactory.createXYLineChart("Loss", "iteration", "loss", new XYSeriesCollection(vm.loss()),
                PlotOrientation.VERTICAL, false, true, false);
        XYSeriesCollection times = new XYSeriesCollection(vm.iterationTime());
        times.addSeries(vm.predicted());
        JFreeChart timeChart = ChartFactory.createXYLineChart("Iteration time: measured vs the plan's prediction", "iteration", "s", times,
                PlotOrientation.VERTICAL, true, true, false);
        JFreeChart memChart = ChartFactory.createBarChart("Peak memory per stage: measured vs predicted (MB)", null, "MB", vm.memory(),
                PlotOrientation.VERTICAL, true, true, false);
        studio.app.theme.ChartStyle.follow(lossChart, timeChart, memChart);
        GridPane charts = new GridPane();
        ChartViewer a = new ChartViewer(lossChart);
        ChartViewer b = new ChartViewer(timeChart);
        ChartViewer m = new ChartViewer(memChart);
        for (ChartViewer v : new ChartViewer[] {a, b, m}) {
            v.setPrefSize(360, 260);
            GridPane.setHgrow(v, Priority.ALWAYS);
        }
        charts.add(a, 0, 0);
        charts.add(b, 1, 0);
        charts.add(m, 2, 0);
        return charts;
    }

    public Parent root() { return root; }

    private static Button profileButton(String id, String text, String what, javafx.beans.value.ObservableBooleanValue disabled, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new javafx.scene.control.Tooltip(what + "; the files come home and the plan is re-costed on them"));
        b.disableProperty().bind(disabled);
        b.setOnAction(e -> action.run());
        return b;
    }

    /** Asks the user on the FX thread, from the SSH thread, whether to trust an unknown host key. */
    /** Asks on the FX thread (the SSH work waits off it): unknown host keys and key passphrases. */
    public static HostKeyPolicy askUser() {
        return new HostKeyPolicy() {
            @Override
            public boolean acceptUnknown(String hostAndPort, String type, String fingerprint) {
                Boolean yes = onFxThread(() -> {
                    Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The host " + hostAndPort + " is not in known_hosts.\n\n" + type
                            + " key fingerprint:\n" + fingerprint + "\n\nCompare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host. "
                            + "Trust it?", ButtonType.YES, ButtonType.NO);
                    a.setHeaderText("Unknown host key");
                    return a.showAndWait().orElse(ButtonType.NO) == ButtonType.YES;
                });
                return Boolean.TRUE.equals(yes);
            }

            @Override
            public char[] passphrase(String keyFile) {
                return onFxThread(() -> passphraseDialog(keyFile).showAndWait().orElse(null));
            }
        };
    }

    /** A dialog for a key's passphrase; the answer is handed over once and the field cleared. */
    static javafx.scene.control.Dialog<char[]> passphraseDialog(String keyFile) {
        javafx.scene.control.Dialog<char[]> d = new javafx.scene.control.Dialog<>();
        d.setTitle("Key passphrase");
        d.setHeaderText("Passphrase for " + keyFile);
        javafx.scene.control.PasswordField field = new javafx.scene.control.PasswordField();
        field.setId("passphraseField");
        d.getDialogPane().setContent(new VBox(6, new Label("It is used for this connection only and never stored."), field));
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.setResultConverter(b -> {
            char[] out = b == ButtonType.OK ? field.getText().toCharArray() : null;
            field.clear();
            return out;
        });
        Platform.runLater(field::requestFocus);
        return d;
    }

    private static <T> T onFxThread(java.util.concurrent.Callable<T> ask) {
        if (Platform.isFxApplicationThread()) {
            try {
                return ask.call();
            } catch (Exception e) {
                return null;
            }
        }
        FutureTask<T> task = new FutureTask<>(ask);
        Platform.runLater(task);
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        }
    }
}
