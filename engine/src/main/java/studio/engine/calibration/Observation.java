package studio.engine.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import studio.engine.protocol.RunnerEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * One run on the cluster: what the plan predicted and what was measured.
 *
 * @param predictedPeakMb the plan's largest stage memory (0: not compared)
 * @param measuredPeakMb  the largest peak the run printed (0: none printed)
 */
public record Observation(String label, TimeTerms predicted, double measuredIterationS, double predictedPeakMb, double measuredPeakMb) {
    public Observation {
        if (!(measuredIterationS > 0)) throw new IllegalArgumentException(label + ": no measured iteration time");
    }

    /** What a run measured, from the runner's events (Galvatron's log as the runner parses it). */
    public record Measured(double iterationS, double peakMb, int iterations) {
    }

    /** Iterations before this one warm up (allocator, NCCL, autotuning) and are left out, as the studio's runs table does. */
    public static final int FIRST_COUNTED_ITERATION = 5;

    /**
     * The median iteration time of the counted iterations (all of them when the run had fewer) and the largest
     * {@code max_mb} of its memory events; null when the events hold no iteration time.
     */
    public static Measured measured(List<JsonNode> events) {
        List<Double> all = new ArrayList<>();
        List<Double> counted = new ArrayList<>();
        double peak = 0;
        for (JsonNode e : events) {
            RunnerEvent kind = RunnerEvent.of(e);
            if (kind == RunnerEvent.ITERATION && e.path("iteration_ms").isNumber()) {
                double s = e.path("iteration_ms").asDouble() / 1000;
                all.add(s);
                if (e.path("iteration").asInt() >= FIRST_COUNTED_ITERATION) counted.add(s);
            } else if (kind == RunnerEvent.MEMORY && e.path("max_mb").isNumber()) {
                peak = Math.max(peak, e.path("max_mb").asDouble());
            }
        }
        List<Double> use = counted.isEmpty() ? all : counted;
        if (use.isEmpty()) return null;
        List<Double> sorted = use.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Measured(median, peak, n);
    }
}
