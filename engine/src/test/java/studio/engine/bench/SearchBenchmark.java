package studio.engine.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import studio.engine.conformance.SampleConfigs;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.SpSpace;
import studio.engine.inputs.InputLocator;
import studio.engine.inputs.ProfileArgs;
import studio.engine.model.ModelCatalog;
import studio.engine.plan.DpType;
import studio.engine.plan.PipelineType;
import studio.engine.search.SearchEngine;
import studio.engine.search.SearchMode;
import studio.engine.search.SearchOptions;
import studio.engine.search.SearchResult;

import java.util.concurrent.TimeUnit;

/**
 * Galvatron's search, single-threaded: S1 (Galvatron takes about 70 s on 2 cores) and the large case
 * (llama2-70b shape, 80 layers, 8 x 8 GPUs, 8 batch sizes with every chunk count); and S1 in studio mode as the
 * studio's search view runs it, one worker a core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class SearchBenchmark {
    CostModel s1;
    CostModel large;

    @Setup
    public void setup() {
        s1 = studio.engine.conformance.S1Inputs.costModel();
        large = LargeCase.costModel();
    }

    @Benchmark
    public SearchResult s1GalvatronV2() {
        return new SearchEngine(s1, SearchOptions.defaults().withSettle(64, -1)).search();
    }

    @Benchmark
    public SearchResult s1Studio() {
        return new SearchEngine(s1, SearchOptions.defaults().withSettle(64, -1).withMode(SearchMode.STUDIO)).search();
    }

    /** As the studio searches: its search view runs one worker a core. */
    @Benchmark
    public SearchResult s1StudioEveryCore() {
        return new SearchEngine(s1, SearchOptions.defaults().withSettle(64, -1).withMode(SearchMode.STUDIO)
                .withWorkers(Runtime.getRuntime().availableProcessors())).search();
    }

    @Benchmark
    public SearchResult largeGalvatronV2() {
        return new SearchEngine(large, LargeCase.options(SearchMode.GALVATRON_V2)).search();
    }
}
