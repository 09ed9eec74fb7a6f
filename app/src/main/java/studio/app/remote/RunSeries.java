package studio.app.remote;

import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live charts' data of the latest launch (datasets only, no JavaFX, as {@code charts.ChartData}): loss and
 * iteration time against the plan's prediction, and peak memory per stage measured against predicted.
 */
public final class RunSeries {
    /** Iterations before this are warm-up: not in the measured median. */
    static final int WARM_UP_ITERATIONS = 5;

    private final XYSeries loss = new XYSeries("loss");
    private final XYSeries iterationTime = new XYSeries("measured (s)");
    private final XYSeries predicted = new XYSeries("predicted (s)");
    /** Peak memory per stage: the plan's prediction and what Galvatron printed (rank 0 is stage 0, the last rank the last stage). */
    private final DefaultCategoryDataset memory = new DefaultCategoryDataset();
    private final Map<String, List<Double>> measuredS = new ConcurrentHashMap<>();

    public XYSeries loss() { return loss; }

    public XYSeries iterationTime() { return iterationTime; }

    public XYSeries predicted() { return predicted; }

    public DefaultCategoryDataset memory() { return memory; }

    /** Runs {@code updates} with the charts' notifications off, then tells them once. */
    void quietly(Runnable updates) {
        XYSeries[] all = {loss, iterationTime, predicted};
        for (XYSeries s : all) s.setNotify(false);
        memory.setNotify(false);
        try {
            updates.run();
        } finally {
            for (XYSeries s : all) s.setNotify(true);
            memory.setNotify(true);
        }
    }

    /** A new launch: empty series, and the plan's predicted memory per stage (none for the smoke trainer). */
    void reset(List<? extends Number> predictedStageMb) {
        loss.clear();
        iterationTime.clear();
        predicted.clear();
        measuredS.clear();
        memory.clear();
        for (int stage = 0; stage < predictedStageMb.size(); stage++) memory.addValue(predictedStageMb.get(stage).doubleValue(), "predicted", "stage " + stage);
    }

    /** Rank 0's loss at an iteration. */
    void loss(int iteration, double value) {
        loss.addOrUpdate(iteration, value);
    }

    /**
     * One node's iteration time; rank 0's is charted (with the prediction when there is one).
     *
     * @return the node's median after warm-up (s), NaN while it is still warming up
     */
    double iteration(String runId, boolean charted, int iteration, double seconds, double predictedS) {
        if (charted) {
            iterationTime.addOrUpdate(iteration, seconds);
            if (predictedS > 0) predicted.addOrUpdate(iteration, predictedS);
        }
        List<Double> times = measuredS.computeIfAbsent(runId, k -> new ArrayList<>());
        if (iteration >= WARM_UP_ITERATIONS) times.add(seconds);
        return times.isEmpty() ? Double.NaN : median(times);
    }

    /** A stage's measured peak. */
    void peakMemory(int stage, double mb) {
        memory.addValue(mb, "measured", "stage " + stage);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }
}
