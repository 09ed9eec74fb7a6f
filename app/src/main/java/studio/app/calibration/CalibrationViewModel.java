package studio.app.calibration;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import studio.app.cluster.RemoteRun;
import studio.app.cluster.RunPrediction;
import studio.app.project.ClusterSettings;
import studio.app.project.PlanEditor;
import studio.engine.calibration.CalibrationFile;
import studio.engine.calibration.CorrectionFactors;
import studio.engine.calibration.Observation;
import studio.engine.calibration.TimeTerms;
import studio.engine.cost.PlanEstimate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Calibration on the cluster's measured runs (issue 15, item 4): the runs of the plan's cluster, predicted against
 * measured; correction factors fitted from them, saved per cluster and loaded whenever the plan's cluster is that one;
 * applied (unless switched off) to the open plan's headline and to the search results.
 */
public final class CalibrationViewModel {
    /** One run in the predicted-versus-measured table. */
    public record Row(String run, double predictedS, double measuredS, double calibratedS, double predictedPeakMb, double measuredPeakMb) {
        public double error() { return predictedS / measuredS - 1; }

        public double calibratedError() { return calibratedS / measuredS - 1; }
    }

    /** Whether the factors are applied to evaluations and searches. */
    public final BooleanProperty applied = new SimpleBooleanProperty(true);
    private final ReadOnlyObjectWrapper<CorrectionFactors> factors = new ReadOnlyObjectWrapper<>(CorrectionFactors.NONE);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final PlanEditor editor;
    private final ObservableList<RemoteRun> runs;
    private final Path dir;
    private String loadedFor;

    /**
     * @param runs the cluster tab's runs (the measured ones with a prediction calibrate)
     * @param dir  where each cluster's factors are kept
     */
    public CalibrationViewModel(PlanEditor editor, ObservableList<RemoteRun> runs, Path dir) {
        this.editor = editor;
        this.runs = runs;
        this.dir = dir;
        runs.addListener((ListChangeListener<RemoteRun>) c -> refreshRows());
        factors.addListener((o, a, b) -> refreshRows());
        editor.stateProperty().addListener((o, a, b) -> loadForCluster());
        loadForCluster();
    }

    public ReadOnlyObjectProperty<CorrectionFactors> factorsProperty() { return factors.getReadOnlyProperty(); }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }

    public ObservableList<Row> rows() { return rows; }

    /** The plan's cluster as calibration names it, or null before a plan is open. */
    public String clusterKey() {
        if (editor.state() == null) return null;
        ClusterSettings s = editor.state().context().settings();
        return RunPrediction.clusterKey(s.gpu(), s.nodes(), s.gpusPerNode());
    }

    private Path file() {
        ClusterSettings s = editor.state().context().settings();
        return CalibrationFile.of(dir, s.gpu(), s.nodes(), s.gpusPerNode());
    }

    /** The saved factors of the plan's cluster (none: not calibrated); a broken file is said, not used. */
    private void loadForCluster() {
        String key = clusterKey();
        if (key == null || key.equals(loadedFor)) return;
        loadedFor = key;
        try {
            factors.set(CalibrationFile.read(file()));
            status.set(factors.get() == CorrectionFactors.NONE ? "Not calibrated on " + key + " yet" : "Calibrated on " + key + ": " + factors.get().describe());
        } catch (RuntimeException e) {
            factors.set(CorrectionFactors.NONE);
            status.set("Calibration of " + key + " not used: " + e.getMessage());
        }
    }

    /** The runs that calibrate the plan's cluster: node 0's, measured, with the plan's prediction. */
    private List<RemoteRun> calibrating() {
        String key = clusterKey();
        return runs.stream().filter(r -> r.rank() == 0 && r.calibrates() && r.prediction().clusterKey().equals(key)).toList();
    }

    private void refreshRows() {
        List<Row> out = new ArrayList<>();
        for (RemoteRun r : calibrating()) {
            TimeTerms t = r.prediction().terms();
            out.add(new Row(r.runId(), t.totalS(), r.measuredIterationS(), factors.get().iterationS(t), r.prediction().peakMb(), r.measuredPeakMemoryMb()));
        }
        rows.setAll(out);
    }

    /** Fits the factors on the cluster's measured runs and saves them for the cluster. */
    public void fit() {
        if (editor.state() == null) {
            status.set("Open a plan first");
            return;
        }
        List<Observation> observations = calibrating().stream().map(r -> new Observation(r.runId(), r.prediction().terms(), r.measuredIterationS(),
                r.prediction().peakMb(), r.measuredPeakMemoryMb())).toList();
        if (observations.isEmpty()) {
            status.set("No measured run of a plan on " + clusterKey() + " yet: launch the plan, let it run past iteration "
                    + Observation.FIRST_COUNTED_ITERATION + ", then calibrate");
            return;
        }
        CorrectionFactors fitted = CorrectionFactors.fit(observations);
        try {
            CalibrationFile.write(file(), fitted);
        } catch (IOException e) {
            status.set("Could not save the calibration of " + clusterKey() + ": " + e.getMessage());
            return;
        }
        factors.set(fitted);
        status.set("Calibrated on " + clusterKey() + ": " + fitted.describe());
    }

    /** The calibrated iteration of a plan's estimate, or NaN while nothing is applied. */
    public double calibratedIterationS(PlanEstimate e) {
        if (e == null || !applied.get() || factors.get() == CorrectionFactors.NONE) return Double.NaN;
        return factors.get().iterationS(TimeTerms.of(e));
    }

    /** The open plan's calibrated numbers, for the toolbar (empty while none apply). */
    public StringBinding headline() {
        return Bindings.createStringBinding(() -> {
            PlanEstimate e = editor.estimate();
            double s = calibratedIterationS(e);
            if (Double.isNaN(s)) return "";
            int batch = editor.plan() == null ? 0 : editor.plan().globalBatch();
            return String.format(Locale.ROOT, "calibrated (%d run%s): %.3f s / iteration, %.3f samples/s, peak %,.0f MB", factors.get().runs(),
                    factors.get().runs() == 1 ? "" : "s", s, batch / s, factors.get().memoryMb(e.memory().stream().mapToDouble(m -> m.totalMb()).max().orElse(0)));
        }, editor.estimateProperty(), factors, applied);
    }
}
