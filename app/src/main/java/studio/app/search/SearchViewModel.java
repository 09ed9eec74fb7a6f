package studio.app.search;

import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import studio.app.project.PlanningContext;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;
import studio.engine.search.SearchSpace;
import studio.engine.search.TaskResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The search panel's state: every search option (Galvatron's defaults), a background run with progress, the best
 * plan so far and cancel, and the result list (best plan per batch size and its runners-up).
 */
public final class SearchViewModel {
    /** Distinct plans the result list shows per batch size: its best and two runners-up. */
    static final int PLANS_PER_BATCH = 3;

    public final ObjectProperty<SearchMode> mode = new SimpleObjectProperty<>(SearchMode.STUDIO);
    public final ObjectProperty<SearchSpace> searchSpace = new SimpleObjectProperty<>(SearchSpace.FULL);
    public final IntegerProperty minBsz = new SimpleIntegerProperty(8);
    public final IntegerProperty maxBsz = new SimpleIntegerProperty(64);
    public final IntegerProperty bszScale = new SimpleIntegerProperty(8);
    public final IntegerProperty settleBsz = new SimpleIntegerProperty(64);
    public final IntegerProperty settleChunk = new SimpleIntegerProperty(-1);
    public final IntegerProperty maxTpDeg = new SimpleIntegerProperty(8);
    public final IntegerProperty maxPpDeg = new SimpleIntegerProperty(8);
    public final BooleanProperty disableDp = new SimpleBooleanProperty();
    public final BooleanProperty disableTp = new SimpleBooleanProperty();
    public final BooleanProperty disablePp = new SimpleBooleanProperty();
    public final BooleanProperty disableSdp = new SimpleBooleanProperty();
    public final BooleanProperty disableCkpt = new SimpleBooleanProperty();
    public final BooleanProperty disableTpConsec = new SimpleBooleanProperty();
    public final BooleanProperty fineGrained = new SimpleBooleanProperty(true);
    public final IntegerProperty workers = new SimpleIntegerProperty(Math.max(1, Runtime.getRuntime().availableProcessors()));

    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ObservableList<SearchHit> results = FXCollections.observableArrayList();
    private final Executor executor;
    private volatile AtomicBoolean cancel = new AtomicBoolean();

    public SearchViewModel(Executor executor) {
        this.executor = executor;
    }

    public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }

    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }

    public ObservableList<SearchHit> results() { return results; }

    public SearchOptions options(Map<Integer, LayerStrategy> pinned) {
        return SearchOptions.defaults().toBuilder().mode(mode.get()).searchSpace(searchSpace.get())
                .batchSweep(minBsz.get(), maxBsz.get(), bszScale.get()).settleBsz(settleBsz.get()).settleChunk(settleChunk.get())
                .maxTpDeg(maxTpDeg.get()).maxPpDeg(maxPpDeg.get()).disableDp(disableDp.get()).disableTp(disableTp.get())
                .disablePp(disablePp.get()).disableSdp(disableSdp.get()).disableCkpt(disableCkpt.get())
                .disableTpConsec(disableTpConsec.get()).fineGrained(fineGrained.get()).workers(workers.get())
                .pinnedLayers(pinned).build();
    }

    /**
     * Starts a search in the background; {@code done} gets whether a plan was found, on the FX thread (not called
     * when cancelled). A project that targets Galvatron 3.0 runs 3.0's search with the panel's options.
     */
    public void run(PlanningContext ctx, Map<Integer, LayerStrategy> pinned, java.util.function.Consumer<Boolean> done) {
        if (running.get()) return;
        if (ctx.target() == studio.engine.plan.TargetRuntime.GALVATRON_V3) {
            run3(ctx, pinned, done);
            return;
        }
        SearchOptions o;
        SearchEngine engine;
        try {
            o = options(pinned);
            // the list shows each batch size's best plans: the search must find those, not only the overall best
            engine = new SearchEngine(ctx.costModel(), o).listingPerBatch(PLANS_PER_BATCH);
        } catch (IllegalArgumentException e) {
            status.set("Cannot search: " + e.getMessage());
            return;
        }
        AtomicBoolean flag = new AtomicBoolean();
        AtomicBoolean scheduled = new AtomicBoolean();
        inBackground(flag, 0, "Searching" + (pinned.isEmpty() ? "" : " with " + pinned.size() + " pinned layers") + "…", () -> {
            SearchResult r = engine.search((d, t, best) -> {
                if (scheduled.compareAndSet(false, true)) { // one UI update in flight at a time
                    Platform.runLater(() -> {
                        scheduled.set(false);
                        if (!flag.get()) {
                            progress.set((double) d / t);
                            status.set(String.format(Locale.ROOT, "Searching: %d / %d sub-searches, best so far %.3f samples/s", d, t, best));
                        }
                    });
                }
            }, flag::get);
            List<SearchHit> hits = hits(r, ctx.settings().pipelineType(), ctx.settings().defaultDpType());
            return () -> {
                results.setAll(hits);
                status.set(r.found() ? String.format(Locale.ROOT, "Done in %d ms: best %.3f samples/s (%s)", r.elapsedMs(), r.throughput(),
                        ctx.sourceLabel())
                        : String.format(Locale.ROOT, "Nothing fits: --memory_constraint %d would fit the least memory-hungry plan",
                        r.minimumFeasibleGb()));
                done.accept(r.found());
            };
        });
    }

    /**
     * Runs {@code work} off the FX thread with the running flag, progress and status set, and its returned step on the
     * FX thread when it ends; a cancel or a failure is reported in the status (one copy for both searches).
     *
     * @param initialProgress 0, or -1 for an indeterminate bar
     */
    private void inBackground(AtomicBoolean flag, double initialProgress, String starting, java.util.concurrent.Callable<Runnable> work) {
        cancel = flag;
        running.set(true);
        progress.set(initialProgress);
        status.set(starting);
        executor.execute(() -> {
            try {
                Runnable finish = work.call();
                Platform.runLater(() -> {
                    running.set(false);
                    progress.set(1);
                    finish.run();
                });
            } catch (CancellationException e) {
                Platform.runLater(() -> {
                    running.set(false);
                    progress.set(0);
                    status.set("Search cancelled");
                });
            } catch (Exception e) {
                Platform.runLater(() -> {
                    running.set(false);
                    status.set("Search failed: " + e.getMessage());
                });
            }
        });
    }

    /** Galvatron 3.0's search settings from the panel: batch sweep or settled batch, chunks, space, fine or coarse. */
    public studio.engine.search.v3.SearchSettings settings3(PlanningContext ctx) {
        var base = ctx.searchSettings3(64, -1, fineGrained.get());
        var space = base.space();
        var limits = new studio.engine.search.v3.SpaceLimits(disableDp.get(), disableTp.get(), space.disableSp(), disablePp.get(), disableCkpt.get(),
                disableSdp.get(), space.disableCp(), space.disableVocabularyTp(), space.disableVocabularySp(), maxTpDeg.get(), maxPpDeg.get(),
                space.maxSp(), space.maxCp());
        var batch = new studio.engine.search.v3.BatchRange(minBsz.get(), maxBsz.get(), bszScale.get(), settleBsz.get(), settleChunk.get());
        return new studio.engine.search.v3.SearchSettings(base.modelName(), base.numNodes(), base.gpusPerNode(), base.memoryConstraintGb(), batch,
                limits, fineGrained.get(), base.defaultDpType(), base.cost());
    }

    private void run3(PlanningContext ctx, Map<Integer, LayerStrategy> pinned, java.util.function.Consumer<Boolean> done) {
        if (!pinned.isEmpty()) {
            status.set("Cannot search: pinning layers is a feature of the v2 search; set the target to Galvatron v2 to pin");
            return;
        }
        studio.engine.search.v3.SearchSettings s;
        studio.engine.search.v3.Galvatron3Search engine;
        try {
            s = settings3(ctx);
            engine = new studio.engine.search.v3.Galvatron3Search(ctx.costModel3(), s);
        } catch (IllegalArgumentException e) {
            status.set("Cannot search: " + e.getMessage());
            return;
        }
        AtomicBoolean flag = new AtomicBoolean();
        inBackground(flag, -1, "Searching with Galvatron 3.0's search…", () -> {
            var r = engine.search(flag::get);
            List<SearchHit> hits = hits3(r, s);
            return () -> {
                results.setAll(hits);
                status.set(r.found() ? String.format(Locale.ROOT, "Done in %d ms (Galvatron 3.0, %d sub-searches): best %.3f samples/s (%s)",
                        r.elapsedMs(), r.tasks().size(), r.best().throughput(), ctx.sourceLabel())
                        : "Nothing fits " + s.memoryConstraintGb() + " GB per GPU in any of the " + r.tasks().size() + " sub-searches");
                done.accept(r.found());
            };
        });
    }

    /** Galvatron 3.0's results: best task per batch size, then up to two runners-up (distinct plans), fastest batch first. */
    public static List<SearchHit> hits3(studio.engine.search.v3.Search3Result r, studio.engine.search.v3.SearchSettings s) {
        return ranked(r.outcomes().stream().filter(studio.engine.search.v3.TaskOutcome::found).toList(), o -> o.task().batch(),
                studio.engine.search.v3.TaskOutcome::throughput,
                o -> o.plan(s).toParallelPlan(),
                (o, p, rank) -> new SearchHit(label(rank, o.task().batch()) + " (3.0, " + o.task().mode().configName() + ", g " + o.task().bufferTp() + ")",
                        o.task().batch(), rank, p, o.throughput(), o.iterationTimeS(), java.util.Arrays.stream(o.memoryUsedMb()).max().orElse(0),
                        o.layers().stream().mapToInt(studio.engine.plan.v3.HybridStrategy::tensorOrSequenceDegree).min().orElse(1), o.task().bufferTp()));
    }

    public void cancel() {
        cancel.set(true);
    }

    /** Best plan per batch size, then up to two runners-up (distinct plans), fastest batch size first. */
    public static List<SearchHit> hits(SearchResult r, studio.engine.plan.PipelineType pipeline, studio.engine.plan.DpType dpType) {
        return ranked(r.tasks().stream().filter(t -> t.best().feasible()).toList(), TaskResult::globalBatch, TaskResult::rankThroughput,
                t -> t.plan(t.best(), pipeline, dpType),
                (t, p, rank) -> new SearchHit(label(rank, t.globalBatch()), t.globalBatch(), rank, p, t.throughput(), t.best().costS(),
                        t.best().memoryCostMb().stream().mapToInt(Integer::intValue).max().orElse(0), t.minTp(), t.maxTp()));
    }

    private static String label(int rank, int batch) {
        return (rank == 1 ? "best" : "runner-up " + (rank - 1)) + " at batch " + batch;
    }

    /** One search result as a list row, given its plan and its rank within its batch size. */
    private interface HitMaker<T> {
        SearchHit make(T result, ParallelPlan plan, int rank);
    }

    /** Per batch size the {@code PLANS_PER_BATCH} fastest distinct plans (by the search's rank), the batch sizes by their best throughput (one copy for both searches). */
    private static <T> List<SearchHit> ranked(List<T> feasible, java.util.function.ToIntFunction<T> batch,
                                              java.util.function.ToDoubleFunction<T> throughput,
                                              java.util.function.Function<T, ParallelPlan> plan, HitMaker<T> hit) {
        Map<Integer, List<T>> byBatch = new TreeMap<>();
        for (T t : feasible) byBatch.computeIfAbsent(batch.applyAsInt(t), b -> new ArrayList<>()).add(t);
        List<List<SearchHit>> groups = new ArrayList<>();
        for (List<T> ts : byBatch.values()) {
            List<T> sorted = new ArrayList<>(ts);
            sorted.sort(Comparator.comparingDouble(throughput).reversed());
            List<SearchHit> g = new ArrayList<>();
            List<ParallelPlan> seen = new ArrayList<>();
            for (T t : sorted) {
                ParallelPlan p = plan.apply(t);
                if (seen.contains(p)) continue;
                seen.add(p);
                g.add(hit.make(t, p, g.size() + 1));
                if (g.size() == PLANS_PER_BATCH) break;
            }
            groups.add(g);
        }
        groups.sort(Comparator.comparingDouble((List<SearchHit> g) -> g.get(0).throughput()).reversed());
        List<SearchHit> out = new ArrayList<>();
        groups.forEach(out::addAll);
        return out;
    }
}
