package studio.app.grid;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import studio.app.workspace.PlanDocument;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.RuleViolation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** State of the plan grid: the open document, its rows and its summary line. Owned by the FX thread. */
public final class PlanGridViewModel {
    private final ObjectProperty<PlanDocument> document = new SimpleObjectProperty<>();
    private final ObservableList<LayerRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading the sample plan…");
    private final ReadOnlyStringWrapper rules = new ReadOnlyStringWrapper("");

    public PlanGridViewModel() {
        document.addListener((obs, old, doc) -> refresh(doc));
    }

    public ObjectProperty<PlanDocument> documentProperty() { return document; }

    public ObservableList<LayerRow> rows() { return rows; }

    public ReadOnlyStringProperty summaryProperty() { return summary.getReadOnlyProperty(); }

    public ReadOnlyStringProperty rulesProperty() { return rules.getReadOnlyProperty(); }

    public void fail(String message) {
        summary.set("Could not open the plan: " + message);
    }

    private void refresh(PlanDocument doc) {
        if (doc == null) {
            rows.clear();
            return;
        }
        PlanEstimate e = doc.estimate();
        int[] stageOf = doc.plan().stageOfLayer();
        List<LayerRow> list = new ArrayList<>();
        for (int i = 0; i < doc.plan().layerCount(); i++) {
            list.add(new LayerRow(i, stageOf[i], doc.plan().layers().get(i), e.layerMemory().get(i), e.layerTime().get(i)));
        }
        rows.setAll(list);
        summary.set(String.format(Locale.ROOT, "%s · %d GPUs · %d GB · pp %d · batch %d · chunks %d · vtp %d — "
                        + "%.4f samples/s, %.4f s/iteration, peak %d MB %s",
                doc.model().name(), doc.worldSize(), doc.memoryGb(), doc.plan().pp(), doc.plan().globalBatch(), doc.plan().chunks(),
                doc.plan().vocabTp(), e.throughput(), e.iterationS(), e.peakMemoryMb(), e.fitsMemory() ? "(fits)" : "(over budget)"));
        List<String> lines = RuleViolation.summarize(e.violations());
        rules.set(lines.isEmpty() ? "Runtime rules: all satisfied" : "Runtime rules broken:\n" + String.join("\n", lines));
    }
}
