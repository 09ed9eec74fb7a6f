package studio.app.pipeline;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Cursor;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import studio.app.project.PlanEditor;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.StageMemory;
import studio.engine.cost.StageTime;
import studio.engine.plan.ParallelPlan;

import java.util.List;
import java.util.Locale;

/**
 * All layers in a row, embedding and head at the ends, coloured by stage, with a draggable handle at every split
 * point and each stage's memory and time under it.
 */
public final class PipelineBar {
    static final Color[] STAGE_COLORS = {Color.web("#4e79a7"), Color.web("#f28e2b"), Color.web("#59a14f"), Color.web("#e15759"),
            Color.web("#76b7b2"), Color.web("#edc948"), Color.web("#b07aa1"), Color.web("#ff9da7")};
    private final VBox root = new VBox(4);
    private final Pane bar = new Pane();
    /** Stage read-outs wrap onto more lines rather than being cut at 4 or 8 stages in a small window. */
    private final javafx.scene.layout.FlowPane stages = new javafx.scene.layout.FlowPane(10, 2);
    private final ComboBox<Integer> pp = new ComboBox<>();
    private final PlanEditor editor;
    private final List<Rectangle> cells = new java.util.ArrayList<>();
    private final List<Region> handles = new java.util.ArrayList<>();
    private final List<Label> stageLabels = new java.util.ArrayList<>();
    private SplitGeometry geometry = new SplitGeometry(200, 1);

    public PipelineBar(PlanEditor editor) {
        this.editor = editor;
        bar.setId("pipelineBar");
        bar.setMinHeight(34);
        bar.setPrefHeight(34);
        pp.setId("ppChoice");
        pp.valueProperty().addListener((o, a, b) -> {
            // showing the plan's own degree (redraw) commits nothing: it equals the plan's
            if (b != null && editor.plan() != null && b != editor.plan().pp()) editor.setPp(b);
        });
        HBox top = new HBox(8, new Label("Pipeline stages"), pp);
        top.setAlignment(Pos.CENTER_LEFT);
        root.getChildren().addAll(top, bar, stages);
        root.setPadding(new Insets(6, 8, 6, 8));
        bar.widthProperty().addListener((o, a, b) -> redraw());
        editor.estimateProperty().addListener((o, a, b) -> redraw());
        studio.app.theme.Themes.darkProperty().addListener((o, a, b) -> redraw());
    }

    public Parent root() { return root; }

    private void redraw() {
        ParallelPlan plan = editor.plan();
        PlanEstimate e = editor.estimate();
        if (plan == null || e == null) {
            bar.getChildren().clear();
            stages.getChildren().clear();
            return;
        }
        int world = editor.state().context().settings().worldSize();
        List<Integer> choices = new java.util.ArrayList<>();
        for (int p = 1; p <= world && p <= plan.layerCount(); p *= 2) choices.add(p);
        if (!pp.getItems().equals(choices)) pp.getItems().setAll(choices);
        pp.setValue(plan.pp());
        double w = Math.max(bar.getWidth(), 200);
        SplitGeometry g = new SplitGeometry(w, plan.layerCount());
        double slot = g.slotWidth();
        int[] stageOf = plan.stageOfLayer();
        int slots = plan.layerCount() + 2;
        List<Integer> div = plan.pipelineDivision();
        // nodes are kept between edits and only restyled or moved: rebuilding 80 nodes costs a frame
        if (cells.size() != slots || handles.size() != div.size() - 1) {
            cells.clear();
            handles.clear();
            bar.getChildren().clear();
            for (int i = 0; i < slots; i++) {
                Rectangle r = new Rectangle();
                Tooltip t = new Tooltip();
                Tooltip.install(r, t);
                r.setUserData(t);
                cells.add(r);
            }
            bar.getChildren().addAll(cells);
            for (int b = 0; b < div.size() - 1; b++) {
                Region h = handle(b);
                handles.add(h);
            }
            bar.getChildren().addAll(handles);
        }
        for (int i = 0; i < slots; i++) {
            int stage = i == 0 ? 0 : i == plan.layerCount() + 1 ? plan.pp() - 1 : stageOf[i - 1];
            Rectangle r = cells.get(i);
            r.setX(i * slot + 0.5);
            r.setY(4);
            r.setWidth(Math.max(1, slot - 1));
            r.setHeight(24);
            Color c = STAGE_COLORS[stage % STAGE_COLORS.length];
            r.setFill(i == 0 || i == plan.layerCount() + 1 ? c.darker() : c);
            r.setStroke(e.memory().get(stage).fits() ? Color.TRANSPARENT : Color.RED);
            ((Tooltip) r.getUserData()).setText(i == 0 ? "embedding (stage 0)" : i == plan.layerCount() + 1
                    ? "head (stage " + stage + ")" : "layer " + (i - 1) + " (stage " + stage + "): " + plan.layers().get(i - 1).form());
        }
        geometry = g;
        for (int b = 0; b < handles.size(); b++) {
            handles.get(b).relocate(g.handleX(SplitGeometry.layersBefore(div, b)) - 4, 0);
        }
        while (stageLabels.size() < plan.pp()) {
            Label l = new Label();
            l.setId("stageLabel-" + stageLabels.size());
            // one tooltip per label, its text updated: a new Tooltip per edit is a control to style each time
            Tooltip tip = new Tooltip();
            tip.setWrapText(true);
            tip.setMaxWidth(420);
            l.setTooltip(tip);
            stageLabels.add(l);
        }
        if (stages.getChildren().size() != plan.pp()) stages.getChildren().setAll(stageLabels.subList(0, plan.pp()));
        for (int st = 0; st < plan.pp(); st++) {
            StageMemory m = e.memory().get(st);
            StageTime t = e.time().get(st);
            Label l = stageLabels.get(st);
            l.setText(String.format(Locale.ROOT, "stage %d: %d layers · %,d / %,d MB · %.3f s", st, m.layers(), m.totalMb(),
                    m.budgetMb(), t.computeS() + t.tpS() + t.dpS() + t.p2pS()));
            boolean dark = studio.app.theme.Themes.isDark();
            Color c = STAGE_COLORS[st % STAGE_COLORS.length];
            l.setTextFill(m.fits() ? (dark ? c.brighter() : c.darker()) : (dark ? Color.web("#ff7b72") : Color.RED));
            l.getTooltip().setText(String.format(Locale.ROOT, "Stage %d: %d layers; %,d MB of %,d MB per GPU%s; busy %.3f s of the iteration "
                    + "(compute, TP/SP, DP, p2p)", st, m.layers(), m.totalMb(), m.budgetMb(),
                    m.fits() ? "" : ", over the budget by " + (m.totalMb() - m.budgetMb()) + " MB", t.computeS() + t.tpS() + t.dpS() + t.p2pS()));
        }
    }

    private Region handle(int boundary) {
        Region handle = new Region();
        handle.setId("split-" + boundary);
        handle.getStyleClass().add("split-handle");
        handle.setPrefSize(8, 32);
        handle.resize(8, 32);
        handle.setCursor(Cursor.H_RESIZE);
        Tooltip.install(handle, new Tooltip("Drag to move layers between stage " + boundary + " and " + (boundary + 1)));
        handle.setOnMouseDragged(ev -> handle.relocate(Math.max(0, Math.min(geometry.width(), handle.getLayoutX() + ev.getX())) - 4, 0));
        handle.setOnMouseReleased(ev -> {
            int target = geometry.layersBefore(handle.getLayoutX() + 4);
            if (!editor.moveSplit(boundary, target)) redraw();
        });
        return handle;
    }
}
