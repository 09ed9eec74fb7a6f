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
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.search.v3.Galvatron3Search;
import studio.engine.search.v3.Search3Result;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Galvatron 3.0's search in a warm JVM: S01 (its shipped YAML at seq 2048, 36 GB; 122 tasks; Galvatron 3.0 takes
 * 290-360 s on 2 cores) and its end-to-end test T01 (18 tasks at seq 8192; 19-35 s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class Search3Benchmark {
    Galvatron3Inputs s01;
    Galvatron3Inputs t01;

    @Setup
    public void setup() throws Exception {
        Path tmp = java.nio.file.Files.createTempDirectory("search3-bench");
        s01 = Galvatron3Inputs.load(V3Cases.shippedYaml(), V3Cases.s01Overrides(tmp), null);
        t01 = Galvatron3Inputs.load(V3Cases.testYaml(tmp), List.of(), null);
    }

    @Benchmark
    public Search3Result s01() {
        return new Galvatron3Search(s01.costModel(), s01.settings()).search(null);
    }

    @Benchmark
    public Search3Result t01() {
        return new Galvatron3Search(t01.costModel(), t01.settings()).search(null);
    }
}
