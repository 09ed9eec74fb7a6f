package studio.engine.calibration;

import studio.engine.cost.PlanEstimate;
import studio.engine.cost.StageTime;

/**
 * A predicted iteration split into the terms calibration corrects: compute (layers, vocabulary, recompute, and the
 * bubble, which is other stages' compute), TP / SP / CP / expert communication, exposed data-parallel communication,
 * and pipeline sends. They are the critical stage's (the one with the least bubble), so they add up to the iteration.
 */
public record TimeTerms(double computeS, double communicationS, double dataParallelS, double pipelineS) {
    public TimeTerms {
        for (double v : new double[] {computeS, communicationS, dataParallelS, pipelineS}) {
            if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("time terms: expected finite seconds, at least 0, got " + v);
        }
    }

    public static TimeTerms of(PlanEstimate e) {
        StageTime critical = e.time().get(0);
        for (StageTime t : e.time()) if (t.bubbleS() < critical.bubbleS()) critical = t;
        return new TimeTerms(critical.computeS() + critical.bubbleS(), critical.tpS(), critical.dpS(), critical.p2pS());
    }

    public double totalS() { return computeS + communicationS + dataParallelS + pipelineS; }

    double[] asArray() { return new double[] {computeS, communicationS, dataParallelS, pipelineS}; }
}
