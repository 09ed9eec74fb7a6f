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

    /**
     * One sub-search set up, its degrees' candidates as they are decided, and how many degrees of its (vsp,
     * embed_sdp) pair (one progress step) are still to decide.
     */
    private record Pending(SearchEngine.TaskSetup setup, PpCandidate[] candidates, AtomicInteger pairLeft) {
    }

    /** A degree to search: its sub-search, its index there, its place in Galvatron's order, and what its search found. */
    private static final class Entry {
        final Pending task;
        final int index;
        final int order;
        PpCandidate found;

        Entry(Pending task, int index, int order) {
            this.task = task;
            this.index = index;
            this.order = order;
        }

        DegreeSearch.Degree degree() { return task.setup().degrees().get(index); }

        TaskGroup group() { return task.setup().task().group(); }
    }

    /**
     * Searches one batch size's groups, each as its sub-searches in Galvatron's order (one list per progress step);
     * returns each group's results in that order.
     */
    List<List<TaskResult>> run(List<List<List<DegreeSearch.SubSearch>>> groups, BooleanSupplier cancelled, SearchProgress progress) {
        // 1. every sub-search set up and every degree bounded, a group at a time on the workers
        // per group, its sub-searches and its pairs' counts (each group's lists filled by the one worker that sets it up)
        List<List<Pending>> pending = new ArrayList<>(groups.size());
        List<List<AtomicInteger>> pairs = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            pending.add(new ArrayList<>());
            pairs.add(new ArrayList<>());
        }
        parallel(groups.size(), g -> {
            for (List<DegreeSearch.SubSearch> pair : groups.get(g)) {
                AtomicInteger pairLeft = new AtomicInteger();
                pairs.get(g).add(pairLeft);
                for (DegreeSearch.SubSearch task : pair) {
                    if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
                    SearchEngine.TaskSetup setup = setUp.apply(task);
                    if (setup != null) pending.get(g).add(new Pending(setup, new PpCandidate[setup.degrees().size()], pairLeft));
                }
            }
        });
        // 2. the degrees to search, most promising first (Galvatron's order among equals); those known already count
        List<Entry> entries = new ArrayList<>();
        for (List<Pending> group : pending) {
            for (Pending task : group) {
                List<DegreeSearch.Degree> degrees = task.setup().degrees();
                for (int d = 0; d < degrees.size(); d++) {
                    if (degrees.get(d).done()) {
                        task.candidates()[d] = search.apply(degrees.get(d));
                        offer(task.setup(), task.candidates()[d], progress);
                    } else {
                        task.pairLeft().incrementAndGet();
                        entries.add(new Entry(task, d, entries.size()));
                    }
                }
            }
        }
        for (List<AtomicInteger> group : pairs) for (AtomicInteger pairLeft : group) if (pairLeft.get() == 0) progress.step();
        Entry[] byPromise = entries.toArray(new Entry[0]);
        Arrays.sort(byPromise, Comparator.comparingDouble((Entry e) -> e.degree().boundS()).thenComparingInt(e -> e.order));
        // 3. searched in that order while they can still make the list; a degree per worker at a time until the list has
        // a threshold (else the other workers search on through degrees the first plans would have left out)
        IntConsumer searchOne = i -> {
            if (cancelled.getAsBoolean()) throw new CancellationException("search cancelled");
            Entry e = byPromise[i];
            if (!threshold.cannotEnter(e.group(), e.degree().boundS())) {
                e.found = search.apply(e.degree());
                offer(e.task.setup(), e.found, progress);
            }
            if (e.task.pairLeft().decrementAndGet() == 0) progress.step();
        };
        int first = 0;
        while (first < byPromise.length && !threshold.established(byPromise[first].group())) {
            int from = first;
            int batch = Math.min(workers, byPromise.length - from);
            parallel(batch, i -> searchOne.accept(from + i));
            first += batch;
        }
        int from = first;
        parallel(byPromise.length - from, i -> searchOne.accept(from + i));
        // 4. what is left out decided against the final threshold; the results in Galvatron's order
        for (Entry e : entries) {
            DegreeSearch.Degree degree = e.degree();
            boolean kept = e.found != null && !threshold.cannotEnter(e.group(), degree.boundS());
            e.task.candidates()[e.index] = kept ? e.found : PpCandidate.notSearched(degree.pp(), degree.evenDivision(), degree.boundS());
        }
        List<List<TaskResult>> out = new ArrayList<>();
        for (List<Pending> group : pending) {
            List<TaskResult> results = new ArrayList<>();
            for (Pending task : group) results.add(task.setup().result(List.of(task.candidates())));
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
