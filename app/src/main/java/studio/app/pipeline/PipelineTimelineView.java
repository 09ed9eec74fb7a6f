package studio.app.pipeline;

import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import studio.app.project.PlanEditor;
import studio.app.theme.Themes;
import studio.engine.plan.PipelineType;
import studio.engine.schedule.PipelineSchedule;

import java.util.Locale;

/**
 * The open plan's pipeline, as the runtime runs it: one row per stage, each micro-batch's forward and backward in
 * time (GPipe or 1F1B), the gaps between them the bubble. Redrawn with every edit.
 */
public final class PipelineTimelineView {
    private final BorderPane root = new BorderPane();
    private final Canvas canvas = new Canvas(800, 240);
    private final Label summary = new Label();
    private final Label lastRun = new Label();
    private final PlanEditor editor;
    private PipelineSchedule.Timeline timeline;

    public PipelineTimelineView(PlanEditor editor) {
        this.editor = editor;
        Pane holder = new Pane(canvas);
        holder.setMinSize(200, 120);
        canvas.widthProperty().bind(holder.widthProperty());
        canvas.heightProperty().bind(holder.heightProperty());
        summary.setId("timelineSummary");
        summary.setPadding(new Insets(6, 8, 6, 8));
        summary.setWrapText(true);
        lastRun.setId("timelineLastRun");
        lastRun.setPadding(new Insets(0, 8, 6, 8));
        lastRun.managedProperty().bind(lastRun.textProperty().isNotEmpty());
        root.setTop(new javafx.scene.layout.VBox(summary, lastRun));
        root.setCenter(holder);
        canvas.widthProperty().addListener((o, a, b) -> draw());
        canvas.heightProperty().addListener((o, a, b) -> draw());
        editor.estimateProperty().addListener((o, a, b) -> refresh());
        Themes.darkProperty().addListener((o, a, b) -> draw());
        refresh();
    }

    public Parent root() { return root; }

    /**
     * After a run: its measured iteration beside the plan's prediction and this schedule's ({@code measuredS} and
     * {@code predictedS} in s; 0 while there is none).
     */
    public void showLastRun(javafx.beans.value.ObservableDoubleValue measuredS, javafx.beans.value.ObservableDoubleValue predictedS) {
        lastRun.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> {
            double m = measuredS.get();
            if (!(m > 0)) return "";
            double p = predictedS.get();
            String sim = timeline == null ? "" : String.format(Locale.ROOT, ", this schedule %.3f s", timeline.makespanMs() / 1000);
            return p > 0 ? String.format(Locale.ROOT, "Last run: measured %.3f s per iteration, predicted %.3f s (%+.1f %%)%s", m, p, (p / m - 1) * 100, sim)
                    : String.format(Locale.ROOT, "Last run: measured %.3f s per iteration (a smoke run, not this plan's)", m);
        }, measuredS, predictedS, editor.estimateProperty()));
    }

    public Label lastRunLabel() { return lastRun; }

    public Canvas canvas() { return canvas; }

    /** The schedule drawn now (null before a plan is open). */
    public PipelineSchedule.Timeline timeline() { return timeline; }

    /** One simulation an edit: the drawing and the summary both read it. */
    private void refresh() {
        var context = editor.state() == null ? null : editor.state().context();
        timeline = editor.estimate() == null || context == null ? null : PipelineSchedule.of(editor.plan(), editor.estimate(),
                PipelineSchedule.GradientReduce.of(context.settings().costOptions().asyncGradReduce()), context.optimizerStep());
        summary.setText(summaryText(timeline, context != null && context.optimizerStep() != null));
        draw();
    }

    private static String summaryText(PipelineSchedule.Timeline t, boolean optimizerMeasured) {
        if (t == null) return "";
        StringBuilder peaks = new StringBuilder();
        for (int s = 0; s < t.stages(); s++) peaks.append(s == 0 ? "" : "/").append(t.peakInFlight(s));
        return String.format(Locale.ROOT, "%s · %d stages · %d micro-batches · one iteration's compute %.1f ms as scheduled · bubble %.1f %%"
                        + " · peak activations %s micro-batches · blue: forward, orange: backward, light orange: recompute, green: "
                        + "TP/SP/CP/expert communication, purple: ZeRO-3 gathers, red: exposed gradient reduce, sky: optimizer%s, gaps: waiting",
                t.type() == PipelineType.GPIPE ? "GPipe" : "1F1B (pipedream_flush)", t.stages(), t.microBatches(), t.makespanMs(),
                100 * t.bubbleFraction(), peaks, optimizerMeasured ? "" : " (not profiled: profile the cluster's hardware to time it)");
    }

    /** Okabe-Ito colours beside the forward's blue and the backward's orange. */
    private static final java.util.Map<PipelineSchedule.PartKind, Color> PART_COLORS = java.util.Map.of(
            PipelineSchedule.PartKind.COMPUTE, Color.web("#0072B2"), PipelineSchedule.PartKind.RECOMPUTE, Color.web("#F5C26B"),
            PipelineSchedule.PartKind.COMMUNICATION, Color.web("#009E73"), PipelineSchedule.PartKind.PARAMETER_GATHER, Color.web("#CC79A7"),
            PipelineSchedule.PartKind.GRADIENT_SYNC, Color.web("#D55E00"), PipelineSchedule.PartKind.OPTIMIZER, Color.web("#56B4E9"));

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        boolean dark = Themes.isDark();
        g.setFill(dark ? Color.web("#0d1117") : Color.WHITE);
        g.fillRect(0, 0, w, h);
        if (timeline == null || timeline.makespanMs() <= 0) return;
        double left = 70;
        double top = 8;
        double rowH = Math.max(12, Math.min(40, (h - top - 24) / timeline.stages()));
        double scale = (w - left - 12) / timeline.makespanMs();
        Color text = dark ? Color.web("#c9d1d9") : Color.web("#24292f");
        g.setFont(Font.font(11));
        for (int s = 0; s < timeline.stages(); s++) {
            double y = top + s * rowH;
            g.setFill(dark ? Color.web("#161b22") : Color.web("#f6f8fa"));
            g.fillRect(left, y + 1, w - left - 12, rowH - 2);
            g.setFill(text);
            g.fillText("stage " + s, 8, y + rowH / 2 + 4);
        }
        Color fwd = Color.web("#0072B2");
        Color bwd = Color.web("#E69F00");
        for (PipelineSchedule.Slot slot : timeline.slots()) {
            double x = left + slot.startMs() * scale;
            double bw = Math.max(1, slot.durationMs() * scale);
            double y = top + slot.stage() * rowH;
            g.setFill(slot.kind() == PipelineSchedule.Kind.FORWARD ? fwd : bwd);
            g.fillRect(x, y + 2, bw, rowH - 4);
            if (bw > 16 && rowH > 14) {
                g.setFill(Color.WHITE);
                g.fillText(Integer.toString(slot.microBatch()), x + 3, y + rowH / 2 + 4);
            }
        }
        // what each op spends besides compute, in its place inside the op, and each stage's tail after its last backward
        for (PipelineSchedule.Part part : timeline.parts()) {
            if (part.kind() == PipelineSchedule.PartKind.COMPUTE) continue;
            double x = left + part.startMs() * scale;
            double bw = Math.max(1, part.durationMs() * scale);
            double y = top + part.stage() * rowH;
            g.setFill(PART_COLORS.get(part.kind()));
            g.fillRect(x, y + 2, bw, rowH - 4);
        }
        g.setFill(text);
        double axisY = top + timeline.stages() * rowH + 14;
        g.fillText("0", left, axisY);
        String end = String.format(Locale.ROOT, "%.1f ms", timeline.makespanMs());
        g.fillText(end, w - 12 - 7 * end.length(), axisY);
    }
}
