package studio.app.charts;

import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.StageMemory;
import studio.engine.cost.StageTime;

/**
 * The charts' datasets, updated in place from an estimate (no chart is rebuilt on an edit, which keeps redraws
 * cheap). No JavaFX here, so it is testable without a window.
 */
public final class ChartData {
    /** The last part is Galvatron's PyTorch cache reserve (20 % of budgets above 20 GB): counted, but not the plan's own memory. */
    public static final String[] MEMORY_SERIES = {"parameters", "gradients", "optimizer states", "activations", "other",
        "cache reserve (20% of budget)"};
    public static final String[] TIME_SERIES = {"compute", "tp/sp", "dp", "p2p", "bubble"};
    /** Shown only for a plan with experts: their model states (out of the three above) and their exchange (out of tp/sp). */
    public static final String EXPERT_STATES = "expert states";
    public static final String EXPERT_EXCHANGE = "all-to-all (experts)";
    /** Shown only for a plan with ring attention: its exposed K/V exchange (out of tp/sp). */
    public static final String RING_EXCHANGE = "ring exchange (cp)";
    private final DefaultCategoryDataset memory = new DefaultCategoryDataset();
    private final DefaultCategoryDataset time = new DefaultCategoryDataset();
    private final XYSeries layerMemory = new XYSeries("memory (MB)");
    private final XYSeries layerTime = new XYSeries("time (ms)");
    private final XYSeriesCollection layerMemoryData = new XYSeriesCollection(layerMemory);
    private final XYSeriesCollection layerTimeData = new XYSeriesCollection(layerTime);
    private double budgetMb;

    public DefaultCategoryDataset memory() { return memory; }

    public DefaultCategoryDataset time() { return time; }

    public XYSeriesCollection layerMemory() { return layerMemoryData; }

    public XYSeriesCollection layerTime() { return layerTimeData; }

    public double budgetMb() { return budgetMb; }

    public void update(PlanEstimate e) {
        memory.setNotify(false);
        time.setNotify(false);
        try {
            memory.clear();
            time.clear();
            boolean experts = e.memory().stream().anyMatch(m -> m.expertStatesMb() > 0);
            for (StageMemory m : e.memory()) {
                String stage = "stage " + m.stage();
                // with experts, the 4:4:8 split is of the dense states, and the experts' states are their own bar
                double dense = experts ? m.denseStatesMb() / (m.parametersMb() + m.gradientsMb() + m.optimizerStatesMb()) : 1;
                memory.addValue(m.parametersMb() * dense, MEMORY_SERIES[0], stage);
                memory.addValue(m.gradientsMb() * dense, MEMORY_SERIES[1], stage);
                memory.addValue(m.optimizerStatesMb() * dense, MEMORY_SERIES[2], stage);
                if (experts) memory.addValue(m.expertStatesMb(), EXPERT_STATES, stage);
                memory.addValue(m.activationsMb(), MEMORY_SERIES[3], stage);
                memory.addValue(m.otherMb(), MEMORY_SERIES[4], stage);
                memory.addValue(m.reservedMb(), MEMORY_SERIES[5], stage);
                budgetMb = m.budgetMb();
            }
            boolean exchange = e.time().stream().anyMatch(t -> t.expertExchangeS() > 0);
            boolean ring = e.time().stream().anyMatch(t -> t.ringS() > 0);
            for (StageTime t : e.time()) {
                String stage = "stage " + t.stage();
                time.addValue(t.computeS(), TIME_SERIES[0], stage);
                time.addValue(exchange || ring ? t.tensorParallelOnlyS() : t.tpS(), TIME_SERIES[1], stage);
                if (exchange) time.addValue(t.expertExchangeS(), EXPERT_EXCHANGE, stage);
                if (ring) time.addValue(t.ringS(), RING_EXCHANGE, stage);
                time.addValue(t.dpS(), TIME_SERIES[2], stage);
                time.addValue(t.p2pS(), TIME_SERIES[3], stage);
                time.addValue(t.bubbleS(), TIME_SERIES[4], stage);
            }
        } finally {
            memory.setNotify(true);
            time.setNotify(true);
        }
        layerMemory.setNotify(false);
        layerTime.setNotify(false);
        layerMemory.clear();
        layerTime.clear();
        for (int i = 0; i < e.layerMemory().size(); i++) {
            layerMemory.add(i, e.layerMemory().get(i).totalMb(), false);
            layerTime.add(i, e.layerTime().get(i).totalS() * 1000, false);
        }
        layerMemory.setNotify(true);
        layerTime.setNotify(true);
    }

    /** Total of one stage's stacked memory bar, MB. */
    public double stageMemoryMb(int stage) {
        double sum = 0;
        for (String s : MEMORY_SERIES) sum += memory.getValue(s, "stage " + stage).doubleValue();
        return sum;
    }
}
