package studio.engine.schedule;

import org.junit.jupiter.api.Test;
import studio.engine.plan.PipelineType;

import java.util.Arrays;
import java.util.List;
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
    void theReceiverPaysTheTransferOnceBothEndsAreAtIt() {
        // a fast first stage sends long before the slow second one asks; the runtime's blocking p2p still makes the
        // receiver wait a whole transfer after it posts its receive
        var t = PipelineSchedule.simulate(PipelineType.GPIPE, 3, new double[] {1, 5}, new double[] {1, 1}, new double[] {2});
        var second = t.slots().stream().filter(x -> x.stage() == 1 && x.kind() == PipelineSchedule.Kind.FORWARD).toList();
        assertEquals(List.of(3.0, 10.0, 17.0), second.stream().map(PipelineSchedule.Slot::startMs).toList());
        // the gradients come back the same way: stage 0's backward of micro-batch 0 after stage 1's, plus a transfer
        var firstBack = t.slots().stream().filter(x -> x.stage() == 0 && x.kind() == PipelineSchedule.Kind.BACKWARD).findFirst().orElseThrow();
        assertEquals(22 + 1 + 2, firstBack.startMs(), 1e-12);

        // each message its own transfer (a measured run replayed), each direction apart; a row of one is every micro-batch's
        var replayed = PipelineSchedule.simulate(PipelineType.GPIPE, 3, new double[] {1, 5}, new double[] {1, 1},
                new double[][] {{2, 0, 4}}, new double[][] {{3}});
        var starts = replayed.slots().stream().filter(x -> x.stage() == 1 && x.kind() == PipelineSchedule.Kind.FORWARD)
                .map(PipelineSchedule.Slot::startMs).toList();
        assertEquals(List.of(3.0, 8.0, 17.0), starts);
        // the forwards end as before; stage 0 receives its three gradients one after another, each 1 ms longer
        assertEquals(32, t.makespanMs(), 1e-12);
        assertEquals(32 + 3, replayed.makespanMs(), 1e-12);
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

    @Test
    void everyOpIsItsPartsInOrderAndEachStageEndsWithItsGradientSyncAndOptimizer() {
        PipelineSchedule.StageWork[] work = {
                new PipelineSchedule.StageWork(4, 1, 0.5, 6, 4, 1.5, 0.5, 3, 2),
                new PipelineSchedule.StageWork(5, 0.5, 0, 9, 0, 0.5, 0, 2, 2)};
        for (PipelineType type : PipelineType.values()) {
            PipelineSchedule.Timeline t = PipelineSchedule.simulate(type, 4, work, new double[] {0.7},
                    PipelineSchedule.GradientReduce.ONCE_AN_ITERATION);
            PipelineSchedule.Timeline ops = PipelineSchedule.simulate(type, 4, new double[] {5.5, 5.5}, new double[] {12, 9.5}, new double[] {0.7});
            assertEquals(ops.slots(), t.slots(), "the parts do not move the ops");
            for (PipelineSchedule.Slot x : t.slots()) {
                var parts = t.parts().stream().filter(q -> q.stage() == x.stage() && q.microBatch() == x.microBatch() && q.startMs() >= x.startMs() - 1e-9
                        && q.endMs() <= x.endMs() + 1e-9).toList();
                double sum = parts.stream().mapToDouble(PipelineSchedule.Part::durationMs).sum();
                assertEquals(x.durationMs(), sum, 1e-9, "an op is exactly its parts: " + x);
                if (x.kind() == PipelineSchedule.Kind.BACKWARD && x.stage() == 0) {
                    assertEquals(List.of(PipelineSchedule.PartKind.PARAMETER_GATHER, PipelineSchedule.PartKind.RECOMPUTE, PipelineSchedule.PartKind.COMPUTE,
                            PipelineSchedule.PartKind.COMMUNICATION), parts.stream().map(PipelineSchedule.Part::kind).toList());
                }
            }
            for (int s = 0; s < 2; s++) {
                final int stage = s;
                double lastBackward = t.slots().stream().filter(x -> x.stage() == stage).mapToDouble(PipelineSchedule.Slot::endMs).max().orElseThrow();
                var sync = t.parts().stream().filter(q -> q.stage() == stage && q.kind() == PipelineSchedule.PartKind.GRADIENT_SYNC).toList();
                assertEquals(1, sync.size(), "the gradient reduce is once an iteration");
                assertEquals(lastBackward, sync.get(0).startMs(), 1e-9);
                assertEquals(work[s].optimizerMs(), t.partMs(s, PipelineSchedule.PartKind.OPTIMIZER), 1e-9);
                assertEquals(4 * (work[s].recomputeMs()), t.partMs(s, PipelineSchedule.PartKind.RECOMPUTE), 1e-9);
            }
            double tails = 0;
            for (int s = 0; s < 2; s++) {
                final int stage = s;
                double end = t.parts().stream().filter(q -> q.stage() == stage).mapToDouble(PipelineSchedule.Part::endMs).max().orElseThrow();
                tails = Math.max(tails, end);
            }
            assertEquals(tails, t.makespanMs(), 1e-9, "the iteration ends with the last tail");
            assertTrue(t.makespanMs() >= ops.makespanMs());
        }
    }

    @Test
    void withoutAsyncGradReduceEveryBackwardEndsWithItsStagesReduce() {
        PipelineSchedule.StageWork[] work = {
                new PipelineSchedule.StageWork(4, 1, 0.5, 6, 4, 1.5, 0.5, 3, 2),
                new PipelineSchedule.StageWork(5, 0.5, 0, 9, 0, 0.5, 0, 2, 2)};
        int m = 4;
        for (PipelineType type : PipelineType.values()) {
            var once = PipelineSchedule.simulate(type, m, work, new double[] {0.7}, PipelineSchedule.GradientReduce.ONCE_AN_ITERATION);
            var every = PipelineSchedule.simulate(type, m, work, new double[] {0.7}, PipelineSchedule.GradientReduce.EVERY_MICRO_BATCH);
            // the same ops with each backward longer by its stage's reduce
            var ops = PipelineSchedule.simulate(type, m, new double[] {5.5, 5.5}, new double[] {12 + 3, 9.5 + 2}, new double[] {0.7});
            assertEquals(ops.slots(), every.slots());
            for (int s = 0; s < 2; s++) {
                final int stage = s;
                var sync = every.parts().stream().filter(q -> q.stage() == stage && q.kind() == PipelineSchedule.PartKind.GRADIENT_SYNC).toList();
                assertEquals(m, sync.size(), "one reduce a micro-batch");
                assertTrue(sync.stream().allMatch(q -> q.microBatch() >= 0), "inside the backwards, none in the tail");
                for (PipelineSchedule.Slot x : every.slots()) {
                    if (x.stage() != s || x.kind() != PipelineSchedule.Kind.BACKWARD) continue;
                    assertEquals(1, sync.stream().filter(q -> q.microBatch() == x.microBatch() && q.endMs() == x.endMs()).count(),
                            "the reduce ends its backward: " + x);
                }
                assertEquals(m * work[s].gradientSyncMs(), every.partMs(s, PipelineSchedule.PartKind.GRADIENT_SYNC), 1e-9);
                assertEquals(work[s].optimizerMs(), every.partMs(s, PipelineSchedule.PartKind.OPTIMIZER), 1e-9, "the optimizer still steps once");
            }
            assertTrue(every.makespanMs() > once.makespanMs(), type + ": reducing every micro-batch costs time");
        }
    }

    @Test
    void aCostedPlansTimelineHasEachTermOnceWhereTheRuntimeSpendsIt() throws Exception {
        java.nio.file.Path config = java.nio.file.Path.of(PipelineScheduleTest.class.getResource(
                "/conformance/S1/galvatron_config_hidden4096_head32_seqlen2048_1nodes_8gpus_per_node_36GB_bf16_bsz64.json").toURI());
        var loaded = studio.engine.plan.GalvatronConfig.read(config, 8, PipelineType.GPIPE, studio.engine.plan.DpType.DDP);
        var e = new studio.engine.cost.PlanEvaluator(studio.engine.conformance.S1Inputs.costModel()).evaluate(loaded.plan(), 0, 0, loaded.fileViolations());
        PipelineSchedule.Timeline t = PipelineSchedule.of(loaded.plan(), e, PipelineSchedule.GradientReduce.ONCE_AN_ITERATION, null);
        int[] stageOf = loaded.plan().stageOfLayer();
        for (int s = 0; s < loaded.plan().pp(); s++) {
            double sync = 0, compute = 0, communication = 0;
            for (int l = 0; l < stageOf.length; l++) {
                if (stageOf[l] != s) continue;
                var lt = e.layerTime().get(l);
                sync += (lt.totalS() - lt.noCommS()) * 1000;
                compute += lt.forwardMs() + lt.backwardMs();
                communication += lt.tpMs();
            }
            assertEquals(sync, t.partMs(s, PipelineSchedule.PartKind.GRADIENT_SYNC), 1e-9, "once an iteration, not once a micro-batch");
            int m = e.realChunks();
            assertEquals(m * compute, t.partMs(s, PipelineSchedule.PartKind.COMPUTE) + t.partMs(s, PipelineSchedule.PartKind.RECOMPUTE), 1e-6);
            assertEquals(m * communication, t.partMs(s, PipelineSchedule.PartKind.COMMUNICATION), 1e-6);
        }
        var every = PipelineSchedule.of(loaded.plan(), e, PipelineSchedule.GradientReduce.EVERY_MICRO_BATCH, null);
        for (int s = 0; s < loaded.plan().pp(); s++) {
            assertEquals(e.realChunks() * t.partMs(s, PipelineSchedule.PartKind.GRADIENT_SYNC), every.partMs(s, PipelineSchedule.PartKind.GRADIENT_SYNC),
                    1e-6, "--no_async_grad_reduce: the reduce once a micro-batch");
        }
        assertTrue(every.makespanMs() > t.makespanMs());
        assertEquals(0, t.parts().stream().filter(q -> q.kind() == PipelineSchedule.PartKind.OPTIMIZER).count(), "no optimizer step unless profiled");
        // a profiled optimizer step: each stage steps the parameters its ranks update, once, after its gradient reduce
        var adam = new studio.engine.profile.OptimizerStepProfile(2.0, 0.25, null);
        var stepped = PipelineSchedule.of(loaded.plan(), e, PipelineSchedule.GradientReduce.ONCE_AN_ITERATION, adam);
        for (int s = 0; s < loaded.plan().pp(); s++) {
            double updatedMb = 0;
            for (int l = 0; l < stageOf.length; l++) if (stageOf[l] == s) updatedMb += e.layerMemory().get(l).updatedParameterMb();
            double expected = 2.0 + 0.25 * updatedMb * (1 << 20) / 4 / 1e6;
            assertEquals(expected, stepped.partMs(s, PipelineSchedule.PartKind.OPTIMIZER), 1e-9);
            final int stage = s;
            var optimizer = stepped.parts().stream().filter(q -> q.stage() == stage && q.kind() == PipelineSchedule.PartKind.OPTIMIZER).toList();
            var sync = stepped.parts().stream().filter(q -> q.stage() == stage && q.kind() == PipelineSchedule.PartKind.GRADIENT_SYNC).toList();
            assertEquals(1, optimizer.size());
            if (!sync.isEmpty()) assertEquals(sync.get(0).endMs(), optimizer.get(0).startMs(), 1e-9, "the step follows the reduce");
        }
        assertTrue(stepped.makespanMs() > t.makespanMs());
        double ratio = t.makespanMs() / 1000 / e.iterationS();
        System.out.printf(java.util.Locale.ROOT, "S1: schedule %.4f s, Galvatron's formula %.4f s (x%.3f)%n", t.makespanMs() / 1000, e.iterationS(), ratio);
        assertTrue(ratio > 0.8 && ratio < 1.25, "the schedule and the closed form tell the same iteration roughly: x" + ratio);
    }
}
