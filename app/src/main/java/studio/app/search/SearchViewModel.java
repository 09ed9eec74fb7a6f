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
import studio.engine.search.PpCandidate;
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

    /** Starts a search in the background; {@code done} gets the result on the FX thread (not called when cancelled). */
    public void run(PlanningContext ctx, Map<Integer, LayerStrategy> pinned, java.util.function.Consumer<SearchResult> done) {
        if (running.get()) return;
        SearchOptions o;
        SearchEngine engine;
        try {
            o = options(pinned);
            engine = new SearchEngine(ctx.costModel(), o);
        } catch (IllegalArgumentException e) {
            status.set("Cannot search: " + e.getMessage());
            return;
        }
        AtomicBoolean flag = new AtomicBoolean();
        cancel = flag;
        running.set(true);
        progress.set(0);
        status.set("Searching" + (pinned.isEmpty() ? "" : " with " + pinned.size() + " pinned layers") + "…");
        AtomicBoolean scheduled = new AtomicBoolean();
        executor.execute(() -> {
            try {
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
                Platform.runLater(() -> {
                    running.set(false);
                    progress.set(1);
                    results.setAll(hits);
                    status.set(r.found() ? String.format(Locale.ROOT, "Done in %d ms: best %.3f samples/s (%s)", r.elapsedMs(), r.throughput(),
                            ctx.sourceLabel())
                            : String.format(Locale.ROOT, "Nothing fits: --memory_constraint %d would fit the least memory-hungry plan",
                            r.minimumFeasibleGb()));
                    done.accept(r);
                });
            } catch (CancellationException e) {
                Platform.runLater(() -> {
                    running.set(false);
                    progress.set(0);
                    status.set("Search cancelled");
                });
            } catch (RuntimeException e) {
                Platform.runLater(() -> {
                    running.set(false);
                    status.set("Search failed: " + e.getMessage());
                });
            }
        });
    }

    public void cancel() {
        cancel.set(true);
    }

    /** Best plan per batch size, then up to two runners-up (distinct plans), fastest batch size first. */
    public static List<SearchHit> hits(SearchResult r, studio.engine.plan.PipelineType pipeline, studio.engine.plan.DpType dpType) {
        Map<Integer, List<TaskResult>> byBatch = new TreeMap<>();
        for (TaskResult t : r.tasks()) {
            if (t.best().feasible()) byBatch.computeIfAbsent(t.globalBatch(), b -> new ArrayList<>()).add(t);
        }
        List<List<SearchHit>> groups = new ArrayList<>();
        for (var e : byBatch.entrySet()) {
            List<TaskResult> ts = new ArrayList<>(e.getValue());
            ts.sort(Comparator.comparingDouble(TaskResult::throughput).reversed());
            List<SearchHit> g = new ArrayList<>();
            List<ParallelPlan> seen = new ArrayList<>();
            for (TaskResult t : ts) {
                PpCandidate c = t.best();
                ParallelPlan p = t.plan(c, pipeline, dpType);
                if (seen.contains(p)) continue;
                seen.add(p);
                int rank = g.size() + 1;
                g.add(new SearchHit((rank == 1 ? "best" : "runner-up " + (rank - 1)) + " at batch " + t.globalBatch(), t.globalBatch(), rank,
                        p, t.throughput(), c.costS(), c.memoryCostMb().stream().mapToInt(Integer::intValue).max().orElse(0), t.minTp(), t.maxTp()));
                if (g.size() == 3) break;
            }
            groups.add(g);
        }
        groups.sort(Comparator.comparingDouble((List<SearchHit> g) -> g.get(0).throughput()).reversed());
        List<SearchHit> out = new ArrayList<>();
        groups.forEach(out::addAll);
        return out;
    }
}
