package studio.engine.bench;

import org.junit.jupiter.api.Test;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchResult;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's large case finds a plan (its speed is measured by SearchBenchmark, not here). */
class LargeCaseSmokeTest {
    @Test
    void largeCaseFindsAPlan() {
        SearchResult r = new SearchEngine(LargeCase.costModel(), LargeCase.options(SearchMode.GALVATRON_V2).withWorkers(2)).search();
        System.out.println("[bench] large case (2 workers, cold JVM): " + r.elapsedMs() + " ms, " + r.tasks().size() + " sub-searches, "
                + "best " + r.throughput() + " samples/s, pp " + (r.found() ? r.plan().pp() : 0));
        assertTrue(r.found());
        assertTrue(r.plan().layerCount() == 80);
    }
}
