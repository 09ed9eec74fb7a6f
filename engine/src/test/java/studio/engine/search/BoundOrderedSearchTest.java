package studio.engine.search;

import org.junit.jupiter.api.Test;
import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.plan.DpType;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PipelineType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio searches the most promising pipeline degrees first and leaves out those that cannot make its caller's
 * list: the plans it returns are those of searching every degree, every degree it reports searched is exactly what
 * searching everything finds, every bound it reports of one left out is no slower than that degree's real best, and
 * the report does not depend on the workers.
 */
class BoundOrderedSearchTest {
    private static SearchOptions studio(SearchOptions o) {
        return o.withMode(SearchMode.STUDIO);
    }

    /** Searching everything and the bound-ordered search agree, degree by degree; returns the degrees left out. */
    private static int assertSameAsSearchingEverything(String name, CostModel cm, SearchOptions o, int listed) {
        SearchResult all = new SearchEngine(cm, o).searchingEveryDegree().search();
        SearchEngine engine = new SearchEngine(cm, o);
        if (listed > 0) engine.listingPerBatch(listed);
        SearchResult some = engine.search();
        assertEquals(0, all.notSearched(), name);
        assertEquals(all.plan(), some.plan(), name + ": the plan");
        assertEquals(all.throughput(), some.throughput(), name);
        assertEquals(all.tasks().size(), some.tasks().size(), name);
        int leftOut = 0;
        for (int i = 0; i < all.tasks().size(); i++) {
            TaskResult every = all.tasks().get(i);
            TaskResult bounded = some.tasks().get(i);
            assertEquals(every.candidates().size(), bounded.candidates().size(), name + " task " + i);
            for (int c = 0; c < every.candidates().size(); c++) {
                PpCandidate real = every.candidates().get(c);
                PpCandidate reported = bounded.candidates().get(c);
                if (reported.searched()) {
                    assertEquals(real.summary(), reported.summary(), name + " task " + i + " pp " + real.pp());
                } else {
                    leftOut++;
                    assertTrue(reported.boundS() <= real.rankS() * (1 + 1e-12),
                            name + " task " + i + " pp " + real.pp() + ": bound " + reported.boundS() + " above its best " + real.rankS());
                }
            }
        }
        return leftOut;
    }

    @Test
    void s1FindsWhatSearchingEverythingFindsAndLeavesOutMost() {
        SearchOptions o = studio(S1SearchTest.s1Options());
        int leftOut = assertSameAsSearchingEverything("S1", S1SearchTest.s1CostModel(), o, 0);
        SearchResult r = new SearchEngine(S1SearchTest.s1CostModel(), o).search();
        int degrees = r.tasks().stream().mapToInt(t -> t.candidates().size()).sum();
        assertEquals(leftOut, r.notSearched());
        // the bound is within a few per cent of each degree's best, so few are near enough to the winner to search
        assertTrue(leftOut > degrees * 3 / 4, leftOut + " of " + degrees + " left out");
    }

    @Test
    void multiTypeModelsBoundEveryDivisionToo() {
        // T5's profiles were measured with Megatron sequence parallelism, Swin's without
        for (String name : List.of("swin-huge", "t5-3B")) {
            CostModel cm = costModel(name, 34, name.startsWith("t5"));
            SearchOptions o = studio(SearchOptions.defaults().withSettle(64, -1));
            int leftOut = assertSameAsSearchingEverything(name, cm, o, 0);
            assertTrue(leftOut > 0, name + ": nothing left out");
        }
    }

    @Test
    void eachBatchSizesListIsThatOfSearchingEverything() {
        SearchOptions sweep = studio(S1SearchTest.s1Options().toBuilder().settleBsz(-1).batchSweep(16, 48, 16).build());
        CostModel cm = S1SearchTest.s1CostModel();
        assertSameAsSearchingEverything("S1 sweep, 3 a batch size", cm, sweep, 3);
        SearchResult all = new SearchEngine(cm, sweep).searchingEveryDegree().search();
        SearchResult listed = new SearchEngine(cm, sweep).listingPerBatch(3).search();
        SearchResult best = new SearchEngine(cm, sweep).search();
        assertEquals(lists(all, 3), lists(listed, 3));
        assertTrue(lists(all, 3).values().stream().allMatch(l -> l.size() == 3), lists(all, 3).toString());
        // the whole search's best alone leaves out more than each batch size's three best
        assertTrue(best.notSearched() > listed.notSearched(), best.notSearched() + " vs " + listed.notSearched());
        assertTrue(listed.notSearched() > 0);
    }

    @Test
    void whatIsLeftOutDoesNotDependOnTheWorkers() {
        SearchOptions o = studio(S1SearchTest.s1Options());
        SearchResult one = new SearchEngine(S1SearchTest.s1CostModel(), o.withWorkers(1)).search();
        SearchResult two = new SearchEngine(S1SearchTest.s1CostModel(), o.withWorkers(2)).search();
        SearchResult four = new SearchEngine(S1SearchTest.s1CostModel(), o.withWorkers(4)).search();
        assertEquals(one.tasks(), two.tasks());
        assertEquals(one.tasks(), four.tasks());
        assertEquals(one.plan(), four.plan());
    }

    /** Per batch size, its {@code plans} best distinct plans by the search's rank, as the studio's list shows them. */
    private static Map<Integer, List<ParallelPlan>> lists(SearchResult r, int plans) {
        Map<Integer, List<TaskResult>> byBatch = new TreeMap<>();
        for (TaskResult t : r.tasks()) if (t.best().feasible()) byBatch.computeIfAbsent(t.globalBatch(), b -> new ArrayList<>()).add(t);
        Map<Integer, List<ParallelPlan>> out = new TreeMap<>();
        byBatch.forEach((batch, tasks) -> {
            List<TaskResult> sorted = new ArrayList<>(tasks);
            sorted.sort(Comparator.comparingDouble(TaskResult::rankThroughput).reversed());
            List<ParallelPlan> list = new ArrayList<>();
            for (TaskResult t : sorted) {
                ParallelPlan p = t.plan(PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2);
                if (!list.contains(p)) list.add(p);
                if (list.size() == plans) break;
            }
            out.put(batch, list);
        });
        return out;
    }

    private static CostModel costModel(String name, int memoryGb, boolean sequenceParallel) {
        var root = SampleConfigs.root();
        var model = new ModelCatalog(root).resolve(name);
        CostModelOptions options = new CostModelOptions(8, memoryGb, "bf16", true, sequenceParallel, SpSpace.TP, PipelineType.PIPEDREAM_FLUSH,
                DpType.ZERO2, false, true, 1.0);
        return new CostModel(new InputLocator(root).load(model, ProfileArgs.defaults(1, 8, sequenceParallel)), options);
    }
}
