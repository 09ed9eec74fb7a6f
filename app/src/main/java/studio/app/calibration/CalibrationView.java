package studio.app.calibration;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.util.Locale;

/** The cluster tab's calibration: each measured run against its prediction, the fit, the factors, applied or not. */
public final class CalibrationView {
    private final VBox root = new VBox(4);

    public CalibrationView(CalibrationViewModel vm) {
        root.setPadding(new Insets(6));
        root.setId("calibrationPane");
        TableView<CalibrationViewModel.Row> table = new TableView<>(vm.rows());
        table.setId("calibrationRuns");
        table.setPrefHeight(120);
        table.getColumns().add(studio.app.theme.Tables.column("Run", CalibrationViewModel.Row::run));
        table.getColumns().add(studio.app.theme.Tables.column("Predicted", r -> String.format(Locale.ROOT, "%.3f s", r.predictedS())));
        table.getColumns().add(studio.app.theme.Tables.column("Measured", r -> String.format(Locale.ROOT, "%.3f s", r.measuredS())));
        table.getColumns().add(studio.app.theme.Tables.column("Error", r -> String.format(Locale.ROOT, "%+.1f %%", r.error() * 100)));
        table.getColumns().add(studio.app.theme.Tables.column("Calibrated", r -> String.format(Locale.ROOT, "%.3f s (%+.1f %%)", r.calibratedS(), r.calibratedError() * 100)));
        table.getColumns().add(studio.app.theme.Tables.column("Peak memory predicted / measured", r -> r.measuredPeakMb() > 0
                ? String.format(Locale.ROOT, "%,.0f / %,.0f MB", r.predictedPeakMb(), r.measuredPeakMb()) : String.format(Locale.ROOT, "%,.0f MB / -", r.predictedPeakMb())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Button fit = studio.app.theme.Forms.button("Calibrate from these runs", "calibrationFit", "Fits correction factors (compute, TP/SP/CP "
                + "communication, data parallel, pipeline, memory) on the measured runs of this cluster and saves them for it", vm::fit);
        CheckBox applied = new CheckBox("Apply the calibration to evaluations and searches");
        applied.setId("calibrationApplied");
        applied.selectedProperty().bindBidirectional(vm.applied);
        Label status = studio.app.theme.Forms.status("calibrationStatus", vm.statusProperty());
        root.getChildren().addAll(new Label("Calibration: measured runs against the plan's prediction"), table, new HBox(12, fit, applied), status);
    }

    public Node root() { return root; }
}
