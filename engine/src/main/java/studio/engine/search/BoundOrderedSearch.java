package studio.engine.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * The studio's search order. Galvatron searches every pipeline degree of every sub-search in its order (§6); the
 * studio needs only the plans its caller lists (the best, or each batch size's few best, {@link ListThreshold}).
 * So the sub-searches of one batch size are set up first, each degree with the least time any of its plans ranks
 * at ({@link LeastIteration#forStudio}); the degrees are then searched most promising first, and one whose bound
 * cannot make the list is left out (reported with its bound, as a batch sweep's are).
 *
 * <p>What is left out does not depend on the workers or their timing: it is decided once a batch size is done,
 * against the threshold then. A degree whose plan makes that list is never left out on the way (the threshold only
 * rises to it, and the degree's bound is no slower than its plan), so that threshold is the one searching everything
 * gives; a degree searched early whose bound cannot reach it is reported as left out too.
 */
final class BoundOrderedSearch {
    private final Function<DegreeSearch.SubSearch, SearchEngine.TaskSetup> setUp;
    private final Function<DegreeSearch.Degree, PpCandidate> search;
    private final ListThreshold threshold;
    /** null: one thread. */
    private final ExecutorService pool;
    private final int workers;

    BoundOrderedSearch(Function<DegreeSearch.SubSearch, SearchEngine.TaskSetup> setUp, Function<DegreeSearch.Degree, PpCandidate> search,
                       ListThreshold threshold, ExecutorService pool, int workers) {
        this.setUp = setUp;
        this.search = search;
        this.threshold = threshold;
        this.pool = pool;
        this.workers = pool == null ? 1 : workers;
    }

    /** A degree to search, its place in Galvatron's order, and what it reported. */
    private static final class Entry {
        final SearchEngine.TaskSetup setup;
        final DegreeSearch.Degree degree;
        final int order;
        final AtomicInteger pairLeft;
        PpCandidate found;

        Entry(SearchEngine.TaskSetup setup, DegreeSearch.Degree degree, int order, AtomicInteger pairLeft) {
            this.setup = setup;
            this.degree = degree;
            this.order = order;
            this.pairLeft = pairLeft;
        }
    }

    /**
     * Searches one batch size's groups, each as its sub-searches in Galvatron's order (one list per progress step);
     * returns each group's results in that order.
     */
    List<List<TaskResult>> run(List<List<List<DegreeSearch.SubSearch>>> groups, BooleanSupplier cancelled, SearchProgress progress) {
        // 1. every sub-search set up and every degree bounded, a group at a time on the workers
        SearchEngine.TaskSetup[][][] setups = new SearchEngine.TaskSetup[groups.size()][][];
        parallel(groups.size(), g -> {
            List<List<DegreeSearch.SubSearch>> pairs = groups.get(g);
            setups[g] = new SearchEngine.TaskSetup[pairs.size()][];
            for (int p = 0; p < pairs.size(); p++) {
                List<DegreeSearch.SubSearch> pair = pairs.get(p);
                setups[g][p] = new SearchEngine.TaskSetup[pair.size()];
                for (int t = 0; t < pair.size(); t++) {
                    if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                    setups[g][p][t] = setUp.apply(pair.get(t));
                }
            }
        });
        // 2. the degrees to search, most promising first (Galvatron's order among equals); those known already count
        List<Entry> entries = new ArrayList<>();
        for (SearchEngine.TaskSetup[][] group : setups) {
            for (SearchEngine.TaskSetup[] pair : group) {
                AtomicInteger pairLeft = new AtomicInteger();
                for (SearchEngine.TaskSetup setup : pair) {
                    if (setup == null) continue;
                    for (DegreeSearch.Degree degree : setup.degrees()) {
                        if (degree.done()) {
                            offer(setup, search.apply(degree), progress);
                        } else {
                            pairLeft.incrementAndGet();
                            entries.add(new Entry(setup, degree, entries.size(), pairLeft));
                        }
                    }
                }
                if (pairLeft.get() == 0) progress.step();
            }
        }
        Entry[] byPromise = entries.toArray(new Entry[0]);
        Arrays.sort(byPromise, Comparator.comparingDouble((Entry e) -> e.degree.boundS()).thenComparingInt(e -> e.order));
        // 3. searched in that order while they can still make the list; a degree per worker at a time until the list has
        // a threshold (else the other workers search on through degrees the first plans would have left out)
        IntConsumer searchOne = i -> {
            if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
            Entry e = byPromise[i];
            if (!threshold.cannotEnter(e.setup.task().group(), e.degree.boundS())) {
                e.found = search.apply(e.degree);
                offer(e.setup, e.found, progress);
            }
            if (e.pairLeft.decrementAndGet() == 0) progress.step();
        };
        int first = 0;
        while (first < byPromise.length && !threshold.established(byPromise[first].setup.task().group())) {
            int from = first;
            int batch = Math.min(workers, byPromise.length - from);
            parallel(batch, i -> searchOne.accept(from + i));
            first += batch;
        }
        int from = first;
        parallel(byPromise.length - from, i -> searchOne.accept(from + i));
        // 4. what is left out decided against the final threshold; the results in Galvatron's order
        int next = 0;
        List<List<TaskResult>> out = new ArrayList<>();
        for (SearchEngine.TaskSetup[][] group : setups) {
            List<TaskResult> results = new ArrayList<>();
            for (SearchEngine.TaskSetup[] pair : group) {
                for (SearchEngine.TaskSetup setup : pair) {
                    if (setup == null) continue;
                    List<PpCandidate> candidates = new ArrayList<>();
                    for (DegreeSearch.Degree degree : setup.degrees()) {
                        if (degree.done()) {
                            candidates.add(search.apply(degree));
                            continue;
                        }
                        Entry e = entries.get(next++);
                        boolean kept = e.found != null && !threshold.cannotEnter(setup.task().group(), degree.boundS());
                        candidates.add(kept ? e.found : PpCandidate.notSearched(degree.pp(), degree.evenDivision(), degree.boundS()));
                    }
                    TaskResult r = setup.result(candidates);
                    progress.found(r.throughput());
                    results.add(r);
                }
            }
            out.add(results);
        }
        return out;
    }

    /** A plan found: it raises the list's threshold, and the best so far the progress shows. */
    private void offer(SearchEngine.TaskSetup setup, PpCandidate candidate, SearchProgress progress) {
        if (candidate.rankS() < Double.POSITIVE_INFINITY) {
            DegreeSearch.SubSearch task = setup.task();
            int batch = task.group().globalBatch();
            threshold.offer(task.group(), task.vocabularyUlysses(), task.embeddingZero3(), batch / candidate.rankS());
            progress.found(batch / candidate.costS());
        }
    }

    /** {@code body} for 0..n-1, in order on one thread, or taken in order by the workers. */
    private void parallel(int n, IntConsumer body) {
        if (pool == null || n <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < Math.min(workers, n); w++) {
            running.add(pool.submit(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < n && !failed.get(); i = next.getAndIncrement()) body.accept(i);
                } catch (RuntimeException | Error e) {
                    // the others stop at their next item
                    failed.set(true);
                    throw e;
                }
            }));
        }
        for (Future<?> f : running) SearchWorkers.await(f);
    }
}
