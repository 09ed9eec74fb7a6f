package studio.engine.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.Conformance;
import studio.engine.cost.CostModel;
import studio.engine.plan.LayerStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the studio relies on: progress, cancellation, determinism across workers, pinned layers, the failure path. */
class SearchApiTest {
    @Test
    void progressCountsEveryTaskAndBestSoFarNeverDrops() {
        List<int[]> seen = Collections.synchronizedList(new ArrayList<>());
        List<Double> best = Collections.synchronizedList(new ArrayList<>());
        SearchResult r = new SearchEngine(S1SearchTest.s1CostModel(), S1SearchTest.s1Options())
                .search((done, total, b) -> {
                    seen.add(new int[] {done, total});
                    best.add(b);
                }, () -> false);
        assertEquals(140, seen.size(), "7 chunk counts x 10 (min_tp, max_tp) pairs x 2 embed_sdp = 140 tasks");
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i + 1, seen.get(i)[0]);
            assertEquals(seen.size(), seen.get(i)[1]);
            if (i > 0) assertTrue(best.get(i) >= best.get(i - 1));
        }
        assertEquals(r.throughput(), best.get(best.size() - 1), 1e-12);
    }

    @Test
    void aStudioSearchCountsEverySubSearchOnceAndEndsAtTheTotal() {
        List<int[]> seen = Collections.synchronizedList(new ArrayList<>());
        SearchResult r = new SearchEngine(S1SearchTest.s1CostModel(), S1SearchTest.s1Options().withMode(SearchMode.STUDIO).withWorkers(2))
                .listingPerBatch(3)
                .search((done, total, b) -> seen.add(new int[] {done, total}), () -> false);
        assertTrue(r.found());
        assertEquals(140, seen.size(), "one step for each of the 140 tasks");
        List<Integer> done = seen.stream().map(x -> x[0]).sorted().toList();
        for (int i = 0; i < done.size(); i++) assertEquals(i + 1, done.get(i));
        assertTrue(seen.stream().allMatch(x -> x[1] == 140));
    }

    @Test
    void cancellationStopsWithin100ms(@TempDir Path dir) throws Exception {
        CostModel cm = new CostModel(Conformance.e2eBundle(dir), Conformance.e2eOptions());
        // every chunk count of batch sizes 16..2048 with tp+sp: seconds of work if not stopped (a warm JVM searched
        // 64..512 within the 300 ms this test waits)
        SearchOptions o = SearchOptions.defaults().withSettle(-1, -1);
        o = SearchOptions.defaults().toBuilder().searchSpace(o.searchSpace()).batchSweep(16, 2048, 16).build();
        assertStopsWithin100ms(new SearchEngine(cm, o));
        // as the studio's search view runs it: studio mode, every core, each batch size's list
        assertStopsWithin100ms(new SearchEngine(cm, o.toBuilder().mode(SearchMode.STUDIO).workers(2).build()).listingPerBatch(3));
    }

    private static void assertStopsWithin100ms(SearchEngine engine) throws Exception {
        AtomicBoolean cancel = new AtomicBoolean();
        AtomicLong cancelledAt = new AtomicLong();
        CompletableFuture<SearchResult> f = CompletableFuture.supplyAsync(() -> engine.search(SearchListener.NONE, cancel::get));
        Thread.sleep(300);
        assertFalse(f.isDone(), "the search should still be running");
        cancelledAt.set(System.nanoTime());
        cancel.set(true);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        long ms = (System.nanoTime() - cancelledAt.get()) / 1_000_000;
        assertInstanceOf(CancellationException.class, e.getCause());
        assertTrue(ms <= 100, "stopped " + ms + " ms after cancel");
    }

    @Test
    void aStreamedSearchHandsOverEverySubSearchInOrderKeepsNoneAndFindsTheSamePlan() {
        SearchOptions sweep = S1SearchTest.s1Options().toBuilder().settleBsz(-1).batchSweep(8, 64, 8).workers(2).build();
        SearchResult kept = new SearchEngine(S1SearchTest.s1CostModel(), sweep).search();
        List<TaskResult> streamed = new java.util.ArrayList<>();
        SearchResult r = new SearchEngine(S1SearchTest.s1CostModel(), sweep).search(SearchListener.NONE, () -> false, streamed::add);
        assertTrue(kept.tasks().size() > 100, "a sweep of " + kept.tasks().size());
        assertEquals(kept.tasks(), streamed, "the same sub-searches, in Galvatron's order");
        assertTrue(r.tasks().isEmpty(), "none kept");
        assertEquals(kept.taskCount(), r.taskCount());
        assertEquals(kept.plan(), r.plan());
        assertEquals(kept.best(), r.best());
    }

    @Test
    void resultsDoNotDependOnWorkers() {
        SearchResult one = new SearchEngine(S1SearchTest.s1CostModel(), S1SearchTest.s1Options()).search();
        SearchResult four = new SearchEngine(S1SearchTest.s1CostModel(), S1SearchTest.s1Options().withWorkers(4)).search();
        assertEquals(one.plan(), four.plan());
        assertEquals(one.tasks(), four.tasks());
    }

    @Test
    void pinnedLayersKeepTheirStrategyAndTheRestIsFilledIn() {
        LayerStrategy pin = LayerStrategy.parse("2-2*-2-c");
        SearchOptions o = S1SearchTest.s1Options().withPinnedLayers(Map.of(0, pin, 1, pin, 17, pin));
        SearchResult r = new SearchEngine(S1SearchTest.s1CostModel(), o).search();
        assertTrue(r.found());
        assertEquals(pin, r.plan().layers().get(0));
        assertEquals(pin, r.plan().layers().get(1));
        assertEquals(pin, r.plan().layers().get(17));
        assertEquals(2, r.plan().pp());
        assertTrue(r.plan().layers().stream().anyMatch(s -> !s.equals(pin)), "other layers are searched");
        assertTrue(r.throughput() <= 14.205435287722295 + 1e-9 && r.throughput() > 13, "close to the unpinned optimum: " + r.throughput());
        // studio mode respects pins too
        SearchResult s = new SearchEngine(S1SearchTest.s1CostModel(), o.withMode(SearchMode.STUDIO)).search();
        assertEquals(pin, s.plan().layers().get(17));
    }

    @Test
    void nothingFitsNamesTheBudgetThatWould() {
        var cm = S1SearchTest.s1CostModel();
        var tight = new CostModel(cm.profiles(), cm.options().withMemoryConstraintGb(4));
        SearchResult r = new SearchEngine(tight, S1SearchTest.s1Options()).search();
        assertFalse(r.found());
        assertTrue(r.minimumFeasibleGb() > 4, "suggested " + r.minimumFeasibleGb());
        var enough = new CostModel(cm.profiles(), cm.options().withMemoryConstraintGb(r.minimumFeasibleGb()));
        assertTrue(new SearchEngine(enough, S1SearchTest.s1Options()).search().found(), "the suggested budget fits a plan");
    }

    @Test
    void searchesUlyssesOnlyWhichGalvatronTwoRefuses() {
        var cm = S1SearchTest.s1CostModel();
        var sp = new CostModel(cm.profiles(), new studio.engine.cost.CostModelOptions(8, 36, "bf16", true, true,
                studio.engine.cost.SpSpace.SP, studio.engine.plan.PipelineType.GPIPE, studio.engine.plan.DpType.DDP, false, true, 1.0));
        SearchResult r = new SearchEngine(sp, S1SearchTest.s1Options()).search();
        assertTrue(r.found());
        assertTrue(r.plan().layers().stream().allMatch(l -> l.tp() == 1 || l.isUlysses()), "only Ulysses for tp > 1: " + r.plan().layers());
        assertTrue(r.plan().vocabTp() == 1 || r.plan().vocabUlysses(), "the vocabulary too");
        assertTrue(r.tasks().stream().allMatch(t -> t.spSearch() == studio.engine.cost.SpSearch.ULYSSES_ONLY), "only Ulysses sub-searches");
        var tpSp = new CostModel(cm.profiles(), sp.options().withSpSpace(studio.engine.cost.SpSpace.TP_SP));
        SearchResult both = new SearchEngine(tpSp, S1SearchTest.s1Options()).search();
        assertTrue(both.throughput() >= r.throughput(), "tp+sp contains the Ulysses-only space");
    }

    @Test
    void refusesOptionsGalvatronCannotRun() {
        var cm = S1SearchTest.s1CostModel();
        SearchOptions rec = SearchOptions.defaults().toBuilder().batchSweep(8, 64, 8).recommendMinBsz(true).build();
        assertThrows(IllegalArgumentException.class, () -> new SearchEngine(cm, rec));
        SearchOptions both = SearchOptions.defaults().toBuilder().disableDp(true).disableSdp(true).batchSweep(8, 64, 8).settleBsz(64).build();
        assertThrows(IllegalArgumentException.class, () -> new SearchEngine(cm, both));
    }
}
