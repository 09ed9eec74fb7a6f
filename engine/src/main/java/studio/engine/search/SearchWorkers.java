package studio.engine.search;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The search's worker threads, and waiting on their work (one copy for Galvatron's order and the studio's). */
final class SearchWorkers {
    private SearchWorkers() {
    }

    static ExecutorService pool(int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "galvatron-search");
            t.setDaemon(true);
            // a task's error reaches the caller through its future (the CLI words a full heap); the thread's own
            // default handler would print a second, raw stack trace of it
            t.setUncaughtExceptionHandler((thread, e) -> { });
            return t;
        });
    }

    /** The work's result, its error rethrown as it was thrown; an interrupted wait cancels the search. */
    static <T> T await(Future<T> work) {
        try {
            return work.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("search interrupted");
        }
    }
}
