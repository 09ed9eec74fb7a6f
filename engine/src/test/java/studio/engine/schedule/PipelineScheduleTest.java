package studio.engine.schedule;

import org.junit.jupiter.api.Test;
import studio.engine.plan.PipelineType;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineScheduleTest {
    private static double[] fill(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void theMakespanAloneEqualsTheFullSchedule() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int p = 1 + r.nextInt(6);
            int m = 1 + r.nextInt(120);
            double[] f = new double[p];
            double[] b = new double[p];
            double[] x = new double[Math.max(1, p - 1)];
            for (int s = 0; s < p; s++) {
                f[s] = 0.5 + r.nextDouble();
                b[s] = f[s] * (1.5 + r.nextDouble());
            }
            for (int s = 0; s < x.length; s++) x[s] = r.nextDouble() * 0.2;
            for (PipelineType t : PipelineType.values()) {
                double full = PipelineSchedule.simulate(t, m, f, b, x).makespanMs();
                assertEquals(full, PipelineSchedule.makespanMs(t, m, f, b, x), full * 1e-9, t + " p=" + p + " m=" + m);
            }
        }
    }

    @Test
    void theActivationPeakComesFromTheSchedule() {
        int p = 4;
        int m = 8;
        var oneFOneB = PipelineSchedule.simulate(PipelineType.PIPEDREAM_FLUSH, m, fill(p, 1), fill(p, 2), fill(p - 1, 0.05));
        var gpipe = PipelineSchedule.simulate(PipelineType.GPIPE, m, fill(p, 1), fill(p, 2), fill(p - 1, 0.05));
        for (int s = 0; s < p; s++) {
            // 1F1B keeps at most p - s micro-batches on stage s (what Galvatron's memory model assumes); GPipe keeps all m
            assertEquals(p - s, oneFOneB.peakInFlight(s), "1F1B stage " + s);
            assertEquals(m, gpipe.peakInFlight(s), "GPipe stage " + s);
            var series = oneFOneB.memoryMb(s, 1000, 10);
            assertEquals(1000, series.get(series.size() - 1)[1], 1e-9, "everything released at the end");
            double peak = series.stream().mapToDouble(x -> x[1]).max().orElseThrow();
            assertEquals(1000 + 10 * (p - s), peak, 1e-9);
        }
    }

    @Test
    void uniformStagesGiveTheTextbookMakespans() {
        for (int p : new int[] {1, 2, 4, 8}) {
            for (int m : new int[] {1, 3, 8, 32}) {
                for (PipelineType t : PipelineType.values()) {
                    // forward 1, backward 2 per micro-batch and stage, no communication: (m + p - 1) slots of 3
                    var tl = PipelineSchedule.simulate(t, m, fill(p, 1), fill(p, 2), fill(Math.max(1, p - 1), 0));
                    assertEquals(3.0 * (m + p - 1), tl.makespanMs(), 1e-9, t + " p=" + p + " m=" + m);
                    assertEquals(2 * p * m, tl.slots().size());
                    assertEquals((double) (p - 1) / (m + p - 1), tl.bubbleFraction(), 1e-9);
                }
            }
        }
    }

    @Test
    void oneFOneBRunsAtMostPStagesOfForwardsAheadAndRespectsDependencies() {
        var tl = PipelineSchedule.simulate(PipelineType.PIPEDREAM_FLUSH, 8, fill(4, 1), fill(4, 2), fill(3, 0.1));
        for (var s : tl.slots()) {
            for (var o : tl.slots()) {
                if (o.microBatch() != s.microBatch()) continue;
                if (s.kind() == PipelineSchedule.Kind.FORWARD && o.kind() == PipelineSchedule.Kind.FORWARD && o.stage() == s.stage() - 1) {
                    assertTrue(s.startMs() >= o.endMs() + 0.1 - 1e-9, "forward after the stage before, plus the send");
                }
                if (s.kind() == PipelineSchedule.Kind.BACKWARD && o.kind() == PipelineSchedule.Kind.BACKWARD && o.stage() == s.stage() + 1) {
                    assertTrue(s.startMs() >= o.endMs() + 0.1 - 1e-9, "backward after the stage after, plus the send");
                }
            }
        }
        // on stage 0, 1F1B keeps at most p micro-batches in flight (forward done, backward not yet)
        int inFlight = 0;
        int most = 0;
        for (var s : tl.slots().stream().filter(x -> x.stage() == 0).sorted((a, b) -> Double.compare(a.startMs(), b.startMs())).toList()) {
            inFlight += s.kind() == PipelineSchedule.Kind.FORWARD ? 1 : -1;
            most = Math.max(most, inFlight);
        }
        assertEquals(4, most);
    }

    @Test
    void addingWorkNeverShortensTheIterationAndTheBottleneckBoundsIt() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int p = 1 + rnd.nextInt(6);
            int m = 1 + rnd.nextInt(12);
            double[] f = new double[p];
            double[] b = new double[p];
            double[] c = new double[Math.max(1, p - 1)];
            for (int s = 0; s < p; s++) {
                f[s] = 0.5 + rnd.nextDouble();
                b[s] = 1 + 2 * rnd.nextDouble();
            }
            for (int s = 0; s < c.length; s++) c[s] = rnd.nextDouble() * 0.2;
            PipelineType t = rnd.nextBoolean() ? PipelineType.GPIPE : PipelineType.PIPEDREAM_FLUSH;
            double base = PipelineSchedule.simulate(t, m, f, b, c).makespanMs();
            double bottleneck = 0;
            for (int s = 0; s < p; s++) bottleneck = Math.max(bottleneck, m * (f[s] + b[s]));
            assertTrue(base >= bottleneck - 1e-9, "no stage can finish faster than its own work");
            int s = rnd.nextInt(p);
            double[] more = f.clone();
            more[s] += rnd.nextDouble();
            assertTrue(PipelineSchedule.simulate(t, m, more, b, c).makespanMs() >= base - 1e-9, "more work never shortens the iteration");
        }
    }
}
