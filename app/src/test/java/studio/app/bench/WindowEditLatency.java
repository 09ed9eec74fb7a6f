package studio.app.bench;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import studio.app.MainWindow;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.app.project.ProjectStore;
import studio.app.project.TestContexts;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An edit in the real window on an 80-layer plan, as the user sees it: from the grid's edit (a layer's checkpoint flag)
 * through re-costing, the charts' redraw (JFreeChart draws on its canvas as its dataset changes) and the window's next
 * pulse, to the end of that pulse's CSS and layout pass. Runs under the headless toolkit (software pipeline, so the
 * rasterising that a GPU does on a desktop is not in it). Prints the median, the 90th percentile and the worst, of the
 * whole and of the work alone (JavaFX starts pulses on a 60 Hz timer, so an edit also waits up to a frame for one).
 * {@code -Dedits=N} (default 400; the first quarter warms up).
 */
public final class WindowEditLatency {
    private WindowEditLatency() {
    }

    public static void main(String[] args) throws Exception {
        for (String[] p : new String[][] {{"glass.platform", "Monocle"}, {"monocle.platform", "Headless"}, {"prism.order", "sw"},
                {"prism.text", "t2k"}, {"headless.geometry", "1600x1000-32"}, {"java.awt.headless", "true"}}) {
            if (System.getProperty(p[0]) == null) System.setProperty(p[0], p[1]);
        }
        int edits = Integer.getInteger("edits", 400);
        Path appDir = Files.createTempDirectory("gstudio-bench");
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        PlanningContext ctx = TestContexts.withLayers(80);
        ParallelPlan plan = new ParallelPlan(Collections.nCopies(80, LayerStrategy.parse("2-2*-2")), List.of(40, 40), 64, 32, 2, false, false,
                ctx.settings().pipelineType(), ctx.settings().defaultDpType(), null);
        PlanEditor editor = new PlanEditor();
        MainWindow[] window = new MainWindow[1];
        Scene[] scene = new Scene[1];
        onFx(() -> {
            window[0] = new MainWindow(editor, TestContexts.loader(), new ProjectStore(appDir));
            Stage stage = new Stage();
            scene[0] = window[0].newScene();
            stage.setScene(scene[0]);
            window[0].attach(stage);
            stage.setWidth(1600);
            stage.setHeight(1000);
            stage.show();
            editor.open(ctx, plan, "80 layers");
        });
        Thread.sleep(1000); // the first layout and the charts' first draw
        long[] nanos = new long[edits];
        long[] working = new long[edits];
        for (int i = 0; i < edits; i++) {
            int layer = i % 80;
            boolean on = (i / 80) % 2 == 0;
            CompletableFuture<Long> laidOut = new CompletableFuture<>();
            long[] at = new long[3];
            onFx(() -> {
                Runnable[] before = new Runnable[1];
                Runnable[] after = new Runnable[1];
                before[0] = () -> {
                    scene[0].removePreLayoutPulseListener(before[0]);
                    at[2] = System.nanoTime();
                };
                after[0] = () -> {
                    scene[0].removePostLayoutPulseListener(after[0]);
                    laidOut.complete(System.nanoTime());
                };
                at[0] = System.nanoTime();
                editor.setCheckpoint(List.of(layer), on);
                at[1] = System.nanoTime();
                scene[0].addPreLayoutPulseListener(before[0]);
                scene[0].addPostLayoutPulseListener(after[0]);
                Platform.requestNextPulse();
            });
            long end = laidOut.get(10, TimeUnit.SECONDS);
            nanos[i] = end - at[0];
            // the edit's own work and its pulse's CSS and layout, without the wait for the pulse timer's next tick
            working[i] = (at[1] - at[0]) + (end - at[2]);
        }
        onFx(() -> window[0].closed());
        long[] measured = Arrays.copyOfRange(nanos, edits / 4, edits);
        long[] work = Arrays.copyOfRange(working, edits / 4, edits);
        Arrays.sort(measured);
        Arrays.sort(work);
        System.out.printf("80-layer edit, re-costed, charts redrawn and the window laid out (%d edits after %d to warm up):%n",
                measured.length, edits / 4);
        System.out.printf("median %.2f ms, p90 %.2f ms, worst %.2f ms%n", ms(measured, 0.5), ms(measured, 0.9), measured[measured.length - 1] / 1e6);
        // JavaFX runs pulses on a 60 Hz timer: an edit waits up to a frame (16.7 ms) for the next one, whatever it costs
        System.out.printf("of which working (the edit, then its pulse's CSS and layout; not the wait for the %d Hz pulse timer): "
                + "median %.2f ms, p90 %.2f ms, worst %.2f ms%n", Integer.getInteger("javafx.animation.pulse", 60), ms(work, 0.5), ms(work, 0.9),
                work[work.length - 1] / 1e6);
        Platform.exit();
        System.exit(0);
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static void onFx(Runnable r) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                r.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(60, TimeUnit.SECONDS);
    }
}
