package studio.engine.estimate;

import org.junit.jupiter.api.Test;
import studio.engine.conformance.SampleConfigs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;
import studio.engine.profile.ComputationProfile;
import studio.engine.profile.LayerMemoryProfile;
import studio.engine.profile.MemoryProfile;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.OtherMemoryProfile;
import studio.engine.profile.TimeProfileMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimates against every measured profile we have (Galvatron's A100 files): per-layer time within 10 %,
 * memory terms within 5 %.
 */
class EstimateAccuracyTest {
    static final Path ROOT = SampleConfigs.root();
    static final ModelCatalog CATALOG = new ModelCatalog(ROOT);
    static final ProfileEstimator EST = new ProfileEstimator(Calibration.a100());
    static final GpuSpec A100 = GpuCatalog.gpu("A100-80GB-SXM");

    record Check(String what, double measured, double estimated) {
        double error() { return estimated / measured - 1; }
    }

    static List<Check> checks() {
        List<Check> c = new ArrayList<>();
        // name, profile name in sample-configs, memory file (SP variant available?)
        String[][] models = {{"llama-7b", "llama_hf/configs", "llama-7b"}, {"gpt-6.7b", "gpt_hf/configs", "hidden4096_head32"},
                {"gpt-2.7b", "gpt_hf/configs", "hidden2560_head32"}, {"gpt-1.5b", "gpt_hf/configs", "hidden1600_head32"}};
        for (String[] m : models) {
            ModelDescription md = CATALOG.resolve(m[0]);
            Path dir = ROOT.resolve(m[1]);
            var time = ComputationProfile.read(dir.resolve("computation_profiling_bf16_" + m[2] + ".json"))
                    .resolve(TimeProfileMode.STATIC, md.layerTypes());
            c.add(new Check(m[0] + " layer forward ms", time.layerTimes().get(0).perSampleMs(), EST.layerMs(md, 0, A100, "bf16")));
            if (!m[0].equals("gpt-1.5b") && !m[0].equals("gpt-2.7b")) { // their "other" time is not measured
                c.add(new Check(m[0] + " vocab forward ms", time.otherTime().perSampleMs(), EST.vocabMs(md, A100, "bf16")));
            }
            MemoryProfile mem = MemoryProfile.read(dir.resolve("memory_profiling_bf16_" + m[2] + ".json"));
            for (boolean sp : new boolean[] {false, true}) {
                if (!mem.hasVariant(sp)) continue;
                MemoryProfile.Resolved r = mem.resolve(MemoryProfileMode.STATIC, sp, md.layerTypes(), 8);
                LayerMemoryProfile l = r.layers().get(0);
                String tag = m[0] + (sp ? " (SP)" : "");
                c.add(new Check(tag + " parameter MB", l.parameterSizeMb(), EST.parameterMb(md, 0)));
                l.activationPerSampleMb().forEach((t, v) -> c.add(new Check(tag + " activation tp" + t, v, EST.activationMb(md, 0, t, sp))));
                c.add(new Check(tag + " checkpoint activation", l.checkpointActivationMb(), EST.checkpointMb(md, 0, sp)));
                OtherMemoryProfile off = r.otherPpOff();
                double[] v = EST.vocabStatesMb(md, 1);
                c.add(new Check(tag + " vocab model states (vtp 1)", off.modelStatesMb().get(1), v[0] + v[1]));
            }
        }
        return c;
    }

    @Test
    void withinTenPercentForTimeAndFiveForMemory() {
        double worstTime = 0;
        double worstMemory = 0;
        for (Check c : checks()) {
            System.out.printf(Locale.ROOT, "[estimate] %-40s measured %10.4f estimated %10.4f  %+6.2f%%%n", c.what(), c.measured(),
                    c.estimated(), c.error() * 100);
            if (c.what().contains(" ms")) worstTime = Math.max(worstTime, Math.abs(c.error()));
            else worstMemory = Math.max(worstMemory, Math.abs(c.error()));
        }
        System.out.printf(Locale.ROOT, "[estimate] worst time error %.2f%%, worst memory error %.2f%%%n", worstTime * 100, worstMemory * 100);
        assertTrue(worstTime <= 0.10, "time within 10%: " + worstTime);
        assertTrue(worstMemory <= 0.05, "memory within 5%: " + worstMemory);
    }
}
