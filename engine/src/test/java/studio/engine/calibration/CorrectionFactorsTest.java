package studio.engine.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.S1Inputs;
import studio.engine.cost.PlanEstimate;
import studio.engine.cost.PlanEvaluator;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;
import studio.engine.plan.DpType;
import studio.engine.plan.GalvatronConfig;
import studio.engine.plan.PipelineType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorrectionFactorsTest {
    @TempDir
    Path tmp;

    private static Observation run(String label, TimeTerms t, double c, double comm, double d, double p, double noise) {
        double measured = (t.computeS() * c + t.communicationS() * comm + t.dataParallelS() * d + t.pipelineS() * p) * (1 + noise);
        return new Observation(label, t, measured, 30000, 30000 * 1.08);
    }

    @Test
    void perTermFactorsAreRecoveredFromRunsThatVaryTheTerms() {
        Random rnd = new Random(7);
        List<Observation> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TimeTerms t = new TimeTerms(2 + 3 * rnd.nextDouble(), 0.2 + rnd.nextDouble(), 0.1 + 0.5 * rnd.nextDouble(), 0.05 + 0.2 * rnd.nextDouble());
            runs.add(run("run " + i, t, 1.2, 0.8, 1.5, 1.1, 0.002 * rnd.nextGaussian()));
        }
        CorrectionFactors f = CorrectionFactors.fit(runs);
        assertEquals(CorrectionFactors.Method.PER_TERM, f.method());
        assertEquals(1.2, f.compute().value(), 0.02);
        assertEquals(0.8, f.communication().value(), 0.05);
        assertEquals(1.5, f.dataParallel().value(), 0.1);
        assertEquals(1.1, f.pipeline().value(), 0.3);
        assertTrue(f.compute().standardError() > 0 && f.compute().standardError() < 0.02, f.describe());
        assertEquals(1.08, f.memory().value(), 1e-12);
        // the calibrated prediction of a run is within the noise of its measurement
        for (Observation o : runs) assertEquals(o.measuredIterationS(), f.iterationS(o.predicted()), o.measuredIterationS() * 0.01);
    }

    @Test
    void fewRunsOrRunsInOneProportionGetOneFactor() {
        TimeTerms t = new TimeTerms(3, 1, 0.5, 0.1);
        CorrectionFactors one = CorrectionFactors.fit(List.of(run("a", t, 1.1, 1.1, 1.1, 1.1, 0)));
        assertEquals(CorrectionFactors.Method.ONE_FACTOR, one.method());
        assertEquals(1.1, one.compute().value(), 1e-12);
        assertTrue(Double.isNaN(one.compute().standardError()), "one run: its spread is unknown");
        assertTrue(one.describe().contains("one run: no spread yet"), one.describe());
        // six runs of one plan shape: the terms cannot be told apart
        List<Observation> same = new ArrayList<>();
        double[] noise = {0.01, -0.01, 0.02, 0, -0.02, 0.005};
        for (int i = 0; i < 6; i++) same.add(run("r" + i, new TimeTerms(3 * (i + 1), 1 * (i + 1), 0.5 * (i + 1), 0.1 * (i + 1)), 1.1, 1.1, 1.1, 1.1, noise[i]));
        CorrectionFactors f = CorrectionFactors.fit(same);
        assertEquals(CorrectionFactors.Method.ONE_FACTOR, f.method());
        assertEquals(1.1, f.compute().value(), 0.01);
        assertTrue(f.compute().standardError() > 0);
        assertEquals(CorrectionFactors.NONE, CorrectionFactors.fit(List.of()));
    }

    @Test
    void aTermNoRunHasKeepsOne() {
        Random rnd = new Random(3);
        List<Observation> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) runs.add(run("r" + i, new TimeTerms(1 + rnd.nextDouble(), 0.5 * rnd.nextDouble(), 0, 0), 0.9, 1.3, 1, 1, 0));
        CorrectionFactors f = CorrectionFactors.fit(runs);
        assertEquals(CorrectionFactors.Method.PER_TERM, f.method());
        assertEquals(0.9, f.compute().value(), 1e-9);
        assertEquals(1.3, f.communication().value(), 1e-9);
        assertEquals(CorrectionFactors.Factor.ONE, f.dataParallel());
        assertEquals(CorrectionFactors.Factor.ONE, f.pipeline());
    }

    @Test
    void thePredictedTermsOfAPlanAddUpToItsIteration() throws Exception {
        Path config = Path.of(CorrectionFactorsTest.class.getResource(
                "/conformance/S1/galvatron_config_hidden4096_head32_seqlen2048_1nodes_8gpus_per_node_36GB_bf16_bsz64.json").toURI());
        GalvatronConfig.Loaded loaded = GalvatronConfig.read(config, 8, PipelineType.GPIPE, DpType.DDP);
        PlanEstimate e = new PlanEvaluator(S1Inputs.costModel()).evaluate(loaded.plan(), 0, 0, loaded.fileViolations());
        TimeTerms t = TimeTerms.of(e);
        assertEquals(e.iterationS(), t.totalS(), 1e-9);
        assertTrue(t.computeS() > 0 && t.communicationS() > 0, t.toString());
        assertEquals(e.iterationS(), CorrectionFactors.NONE.iterationS(t), 1e-12, "no calibration changes nothing");
    }

    @Test
    void measuredFromTheRunnersEventsOfGalvatronsLog() {
        List<JsonNode> events = new ArrayList<>();
        for (int it = 1; it <= 8; it++) {
            // the warm-up iterations are slow and left out
            events.add(JsonFiles.mapper().createObjectNode().put("event", "iteration").put("iteration", it).put("iteration_ms", it < 5 ? 9000 : 4000 + it));
        }
        events.add(JsonFiles.mapper().createObjectNode().put("event", "memory").put("stage", "After Backward [Allocated]").put("max_mb", 28000.5));
        events.add(JsonFiles.mapper().createObjectNode().put("event", "memory").put("stage", "After optimizer_step [Allocated]").put("max_mb", 31000.0));
        Observation.Measured m = Observation.measured(events);
        assertEquals(4.0065, m.iterationS(), 1e-9, "median of iterations 5-8");
        assertEquals(31000.0, m.peakMb());
        assertEquals(4, m.iterations());
        assertNull(Observation.measured(List.of()));
    }

    @Test
    void factorsAreSavedPerClusterAndBadFilesAreNamed() throws Exception {
        Path file = CalibrationFile.of(tmp, "A100-80GB-SXM", 2, 8);
        assertEquals("a100-80gb-sxm-2x8.calibration.json", file.getFileName().toString());
        assertEquals(CorrectionFactors.NONE, CalibrationFile.read(file), "no file: not calibrated");
        CorrectionFactors one = CorrectionFactors.fit(List.of(run("a", new TimeTerms(3, 1, 0.5, 0.1), 1.1, 1.1, 1.1, 1.1, 0)));
        CalibrationFile.write(file, one);
        CorrectionFactors back = CalibrationFile.read(file);
        assertEquals(one.method(), back.method());
        assertEquals(one.compute().value(), back.compute().value(), 0);
        assertTrue(Double.isNaN(back.compute().standardError()));
        Files.writeString(file, Files.readString(file).replace("\"factor\" : 1.1", "\"factor\" : -2"));
        InputFileException e = assertThrows(InputFileException.class, () -> CalibrationFile.read(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains("compute.factor"), e.getMessage());
    }
}
