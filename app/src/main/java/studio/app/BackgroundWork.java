package studio.app;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;
import org.controlsfx.control.StatusBar;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The window's one worker thread and what the status bar says of it: long work runs off the FX thread with its name
 * and progress shown; its failure is an error dialog (or, before the window shows, the status line).
 */
public final class BackgroundWork {
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "studio-background");
        t.setDaemon(true);
        return t;
    });
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final StatusBar bar;
    private final Supplier<Window> window;

    BackgroundWork(StatusBar bar, Supplier<Window> window) {
        this.bar = bar;
        this.window = window;
    }

    /** What runs in the background now, or the last short message (empty when nothing). */
    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }

    /** The worker, for the views that queue their own work on it (one thread: loads and saves never overlap). */
    public ExecutorService executor() { return worker; }

    public boolean isShutdown() { return worker.isShutdown(); }

    /** Runs {@code work} off the FX thread with its name in the status bar; {@code done} runs on the FX thread. */
    public <T> Task<T> run(String what, Callable<T> work, Consumer<T> done) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        status.set(what + "…");
        bar.progressProperty().bind(task.progressProperty());
        task.setOnSucceeded(e -> {
            finished();
            done.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            finished();
            error(what + " failed", task.getException().getMessage());
        });
        worker.submit(task);
        return task;
    }

    /** Queues a small job (a recovery write) behind the running work; its failure is the status line. */
    public void submit(String failure, IoJob job) {
        if (worker.isShutdown()) return;
        worker.submit(() -> {
            try {
                job.run();
            } catch (java.io.IOException e) {
                Platform.runLater(() -> status.set(failure + ": " + e.getMessage()));
            }
        });
    }

    /** A job that may fail with an I/O error. */
    @FunctionalInterface
    public interface IoJob {
        void run() throws java.io.IOException;
    }

    private void finished() {
        status.set("");
        bar.progressProperty().unbind();
        bar.setProgress(0);
    }

    /** An error dialog owned by the window; before it shows, the status line says it. */
    public void error(String title, String message) {
        status.set("");
        Window owner = window.get();
        if (owner == null) {
            Platform.runLater(() -> status.set(title + ": " + message));
            return;
        }
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        a.setHeaderText(title);
        a.initOwner(owner);
        a.show();
    }

    /** A message in the status line for four seconds. */
    public void message(String text) {
        status.set(text);
        javafx.animation.PauseTransition p = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(4));
        p.setOnFinished(e -> status.set(""));
        p.play();
    }

    /** Clears the status line (a message shown by work that has ended). */
    public void clear() {
        status.set("");
    }

    /** On the way out: no new work; a write in flight finishes first (up to two seconds). */
    public void shutdown() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
