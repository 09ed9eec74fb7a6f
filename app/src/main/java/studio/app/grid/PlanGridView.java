package studio.app.grid;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;

import java.util.Locale;
import java.util.function.Function;

/** The per-layer strategy grid with the plan's summary. */
public final class PlanGridView {
    private final BorderPane root = new BorderPane();

    public PlanGridView(PlanGridViewModel vm) {
        TableView<LayerRow> table = new TableView<>(vm.rows());
        table.setId("layerTable");
        table.getColumns().add(column("Layer", r -> String.valueOf(r.layer())));
        table.getColumns().add(column("Stage", r -> String.valueOf(r.stage())));
        table.getColumns().add(column("Strategy", r -> r.strategy().form()));
        table.getColumns().add(column("TP", r -> r.strategy().tp() + (r.strategy().isUlysses() ? " (Ulysses)" : "")));
        table.getColumns().add(column("DP", r -> String.valueOf(r.strategy().dp())));
        table.getColumns().add(column("DP type", LayerRow::dataParallel));
        table.getColumns().add(column("Ckpt", r -> r.strategy().checkpoint() ? "yes" : ""));
        table.getColumns().add(column("Memory (MB)", r -> String.format(Locale.ROOT, "%.1f", r.memory().totalMb())));
        table.getColumns().add(column("Time (ms)", r -> String.format(Locale.ROOT, "%.3f", r.time().totalS() * 1000)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Label summary = new Label();
        summary.setId("summaryLabel");
        summary.textProperty().bind(vm.summaryProperty());
        Label rules = new Label();
        rules.setId("rulesLabel");
        rules.setWrapText(true);
        rules.textProperty().bind(vm.rulesProperty());
        VBox top = new VBox(6, summary, rules);
        top.setPadding(new Insets(8));
        root.setTop(top);
        root.setCenter(table);
    }

    private static TableColumn<LayerRow, String> column(String title, Function<LayerRow, String> value) {
        TableColumn<LayerRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        c.setSortable(false);
        return c;
    }

    public Parent root() { return root; }
}
