package studio.app.slurm;

import javafx.geometry.Insets;
import studio.app.theme.Forms;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import studio.app.cluster.JobKind;
import studio.app.cluster.SlurmJob;
import studio.app.remote.TrainingOptionsView;


/**
 * The Slurm section of the cluster tab: the job's settings, the batch script to read and edit, submit, and the jobs
 * with their state, pending reason, start and exit code; cancel and requeue. Every field is bound to the view-model.
 */
public final class SlurmView {
    private final VBox root = new VBox(6);

    public SlurmView(SlurmViewModel vm) {
        root.setPadding(new Insets(6));
        root.setId("slurmPane");
        FlowPane policy = new FlowPane(6, 6,
                Forms.field("Account", "slurmAccount", vm.account, 10), Forms.field("Partition", "slurmPartition", vm.partition, 10),
                Forms.field("QoS", "slurmQos", vm.qos, 8), Forms.field("Time limit", "slurmTime", vm.timeLimit, 8),
                Forms.field("Constraint", "slurmConstraint", vm.constraint, 10), Forms.field("GPUs per node (empty: the plan's)", "slurmGpus", vm.gpusPerNode, 4));
        CheckBox exclusive = new CheckBox("Exclusive nodes");
        exclusive.setId("slurmExclusive");
        exclusive.selectedProperty().bindBidirectional(vm.exclusive);
        policy.getChildren().add(exclusive);
        FlowPane where = new FlowPane(6, 6, Forms.field("Working folder on the shared filesystem", "slurmWorkDir", vm.workDir, 24),
                Forms.field("Container image (Pyxis)", "slurmImage", vm.containerImage, 18), Forms.field("Container mounts", "slurmMounts", vm.containerMounts, 18));
        TextArea jobSetup = Forms.area("slurmJobSetup", vm.jobSetup, "Job setup: module loads, exports, a virtual environment (one shell line each)");
        TextArea loginSetup = Forms.area("slurmLoginSetup", vm.loginSetup, "Login node setup before the Slurm commands (e.g. module load slurm)");
        HBox setup = new HBox(6, jobSetup, loginSetup);

        TrainingOptionsView training = new TrainingOptionsView(vm.training, "slurmEngine", "slurmIterations", "slurm");
        Button prepare = Forms.button("Prepare job script", "slurmPrepare",
                "Copies the runner to the shared folder and writes the plan's batch script below, for you to read and edit", vm::prepare);
        Button submit = Forms.button("Submit", "slurmSubmit", null, vm::submit);
        submit.disableProperty().bind(vm.script.isEmpty().or(vm.busyProperty()));
        prepare.disableProperty().bind(vm.busyProperty());
        Button profileHardware = new Button("Profile hardware as a job");
        profileHardware.setId("slurmProfileHardware");
        profileHardware.setTooltip(new Tooltip("The runner's hardware profile on every node of the plan's cluster, as a job; "
                + "the files come home and the plan is re-costed on them (the profile row below sets what it measures)"));
        profileHardware.setOnAction(e -> vm.prepareProfile(JobKind.HARDWARE_PROFILE));
        profileHardware.disableProperty().bind(vm.busyProperty());
        Button profileModel = new Button("Profile model as a job");
        profileModel.setId("slurmProfileModel");
        profileModel.setOnAction(e -> vm.prepareProfile(JobKind.MODEL_PROFILE));
        profileModel.disableProperty().bind(vm.busyProperty());
        VBox run = new VBox(4, training.root(), new HBox(6, prepare, profileHardware, profileModel, submit));

        TextArea script = new TextArea();
        script.setId("slurmScript");
        script.setPrefRowCount(8);
        script.setStyle("-fx-font-family: monospace;");
        script.textProperty().bindBidirectional(vm.script);

        TableView<SlurmJob> jobs = new TableView<>(vm.jobs());
        jobs.setId("slurmJobs");
        jobs.setPrefHeight(110);
        jobs.getColumns().add(studio.app.theme.Tables.column("Job", j -> j.jobId() + " " + j.name()));
        jobs.getColumns().add(studio.app.theme.Tables.column("Kind", j -> j.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')));
        jobs.getColumns().add(studio.app.theme.Tables.column("State", j -> j.state().name()));
        jobs.getColumns().add(studio.app.theme.Tables.column("Reason", SlurmJob::reason));
        jobs.getColumns().add(studio.app.theme.Tables.column("Start (expected while pending)", SlurmJob::expectedStart));
        jobs.getColumns().add(studio.app.theme.Tables.column("Exit code", SlurmJob::exitCode));
        jobs.getColumns().add(studio.app.theme.Tables.column("Folder", SlurmJob::jobDir));
        jobs.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Button cancel = new Button("Cancel job");
        cancel.setId("slurmCancel");
        cancel.disableProperty().bind(jobs.getSelectionModel().selectedItemProperty().isNull());
        cancel.setOnAction(e -> vm.cancel(jobs.getSelectionModel().getSelectedItem()));
        Button requeue = new Button("Requeue");
        requeue.setId("slurmRequeue");
        requeue.disableProperty().bind(jobs.getSelectionModel().selectedItemProperty().isNull());
        requeue.setOnAction(e -> vm.requeue(jobs.getSelectionModel().getSelectedItem()));
        Button follow = new Button("Follow again");
        follow.disableProperty().bind(jobs.getSelectionModel().selectedItemProperty().isNull());
        follow.setOnAction(e -> vm.track(jobs.getSelectionModel().getSelectedItem()));
        Label status = studio.app.theme.Forms.status("slurmStatus", vm.statusProperty());
        Label note = new Label("The login node is the first host below; node 0's events show in the live charts at the bottom, as a run over SSH does.");
        root.getChildren().addAll(policy, where, setup, run, script, jobs, new HBox(6, cancel, requeue, follow), status, note);
    }

    public Node root() { return root; }
}
