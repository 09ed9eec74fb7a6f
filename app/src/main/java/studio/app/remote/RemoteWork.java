package studio.app.remote;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.concurrent.Executor;

/** Cluster work off the FX thread: what runs now and how the last work ended, for the cluster tab's status line. */
public final class RemoteWork {
    /** Work that talks to the cluster and may fail. */
    @FunctionalInterface
    public interface Job {
        void run() throws Exception;
    }

    private final Executor executor;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();

    public RemoteWork(Executor executor) {
        this.executor = executor;
    }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }

    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }

    /** On the FX thread. */
    public void say(String text) {
        status.set(text);
    }

    /** From any thread. */
    public void sayLater(String text) {
        Platform.runLater(() -> status.set(text));
    }

    /** Runs {@code job} on the executor, busy meanwhile; a failure is the status line. Call on the FX thread. */
    public void run(String what, Job job) {
        busy.set(true);
        status.set(what + "…");
        executor.execute(() -> {
            try {
                job.run();
            } catch (Exception e) {
                Platform.runLater(() -> status.set(what + " failed: " + e.getMessage()));
            } finally {
                Platform.runLater(() -> busy.set(false));
            }
        });
    }

    /** Runs {@code job} on the executor without the busy mark (following a run lasts as long as the run). */
    public void background(Runnable job) {
        executor.execute(job);
    }
}
