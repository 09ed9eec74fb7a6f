package studio.app.explain;

import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import studio.app.project.PlanEditor;

import java.util.Locale;

/** The selected layer's time and memory, and what every alternative that fits would do to the iteration. */
public final class ExplainView {
    private final BorderPane root = new BorderPane();
    private final Label heading = new Label("Select a layer in the grid.");
    private final Label breakdown = new Label();
    private final TableView<LayerExplanation.Alternative> table = new TableView<>();
    private final PlanEditor editor;
    private LayerExplanation current;

    public ExplainView(PlanEditor editor) {
        this.editor = editor;
        heading.setId("explainHeading");
        heading.setStyle("-fx-font-weight: bold;");
        breakdown.setId("explainBreakdown");
        table.setId("explainAlternatives");
        table.getColumns().add(studio.app.theme.Tables.column("Alternative", LayerExplanation.Alternative::label));
        table.getColumns().add(studio.app.theme.Tables.column("Iteration", a -> String.format(Locale.ROOT, "%.4f s", a.iterationS())));
        table.getColumns().add(studio.app.theme.Tables.column("Change", a -> String.format(Locale.ROOT, "%+.4f s (%+.2f %%)", a.deltaS(),
                a.deltaPercent(current == null ? 1 : current.iterationS()))));
        table.getColumns().add(studio.app.theme.Tables.column("Peak memory", a -> String.format(Locale.ROOT, "%,d MB", a.peakMemoryMb())));
        table.getColumns().add(studio.app.theme.Tables.column("Runtime", a -> a.runnable() ? "runnable" : "breaks " + String.join("; ", a.brokenRules())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Button apply = new Button("Use the selected alternative");
        apply.setId("applyAlternative");
        apply.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        apply.setOnAction(e -> {
            if (current != null) editor.setLayer(current.layer(), table.getSelectionModel().getSelectedItem().strategy(),
                    table.getSelectionModel().getSelectedItem().experts());
        });
        coverage.setId("explainCoverage");
        coverage.setWrapText(true);
        VBox top = new VBox(4, heading, breakdown, coverage);
        top.setPadding(new Insets(6));
        root.setTop(top);
        root.setCenter(table);
        root.setBottom(apply);
    }

    public Parent root() { return root; }

    public LayerExplanation current() { return current; }

    public void show(int layer) {
        if (editor.state() == null || layer < 0 || layer >= editor.plan().layerCount()) return;
        current = LayerExplanation.of(editor.state().context(), editor.plan(), layer);
        var t = current.time();
        var m = current.memory();
        heading.setText("Layer " + layer + ": " + current.strategy().form());
        breakdown.setText(String.format(Locale.ROOT, "Time per micro-batch %.3f ms: forward %.3f, backward %.3f (with recompute), TP/SP %.3f, "
                        + "exposed DP %.3f, p2p %.3f ms (compute-only %.3f ms)%nMemory %.1f MB: parameters %.1f, gradients %.1f, optimizer "
                        + "states %.1f (ZeRO-sharded model states split 4:4:8), activations %.1f MB for %.2f samples in flight",
                t.totalS() * 1e3, t.forwardMs(), t.backwardMs(), t.tpMs(), t.dpMs(), t.p2pMs(), t.noCommS() * 1e3, m.totalMb(),
                m.modelStatesMb() / 4, m.modelStatesMb() / 4, m.modelStatesMb() / 2, m.activationMb(), m.activationSamples()));
        table.getItems().setAll(current.alternatives());
        coverage.setText(current.coverage());
        table.setPlaceholder(new Label(current.coverage()));
    }

    private final Label coverage = new Label();

    /** How many strategies were tried and why the others are not listed. */
    public String coverageText() { return coverage.getText(); }
}
