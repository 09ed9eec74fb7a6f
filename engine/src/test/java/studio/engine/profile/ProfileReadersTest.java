package studio.engine.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;
import studio.engine.io.InputFileException;
import studio.engine.model.LayerType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both layouts Galvatron has shipped, every mode, and the failure messages. */
class ProfileReadersTest {
    static final Path LEGACY = SampleConfigs.root().resolve("legacy");
    static final List<LayerType> LLAMA = List.of(new LayerType(4096, 2048, 32));

    @Test
    void legacyComputationLayoutInEveryMode() {
        ComputationProfile p = ComputationProfile.read(LEGACY.resolve("computation_profiling_bf16_hidden4096_head32_seqlen2048.json"));
        // static: the first layertype_0_ key wins (bsz1), as in Galvatron
        assertEquals(6.281038475036624, p.resolve(TimeProfileMode.STATIC, LLAMA).layerTimes().get(0).perSampleMs(), 1e-12);
        assertEquals(5.786131095886223, p.resolve(TimeProfileMode.STATIC, LLAMA).otherTime().perSampleMs(), 1e-12);
        // batch: the spec's fit of the 14 batch sizes, T(b) = 4.89244209 b + 1.47240893
        ForwardTime f = p.resolve(TimeProfileMode.BATCH, LLAMA).layerTimes().get(0);
        assertTrue(f.batchFit());
        assertEquals(4.89244209, f.slopeMs(), 1e-7);
        assertEquals(1.47240893, f.interceptMs(), 1e-7);
        ForwardTime o = p.resolve(TimeProfileMode.BATCH, LLAMA).otherTime();
        assertEquals(3.47518783, o.slopeMs(), 1e-7);
        assertEquals(2.0056214, o.interceptMs(), 1e-6);
    }

    @Test
    void legacyMemoryLayout() {
        MemoryProfile m = MemoryProfile.read(LEGACY.resolve("memory_profiling_bf16_hidden4096_head32_seqlen2048.json"));
        MemoryProfile.Resolved sp = m.resolve(MemoryProfileMode.STATIC, true, LLAMA, 8);
        assertEquals(773.0166015625, sp.layers().get(0).parameterSizeMb(), 1e-12);
        assertEquals(4286.2578125, sp.otherPpOff().modelStatesMb().get(1), 1e-12);
        MemoryProfile.Resolved nonSp = m.resolve(MemoryProfileMode.STATIC, false, LLAMA, 8);
        assertEquals(773.2509765625, nonSp.layers().get(0).parameterSizeMb(), 1e-12);
        assertEquals(4258.0, nonSp.otherPpOff().modelStatesMb().get(1), 1e-12);
        assertEquals(1, nonSp.otherPpOff().modelStatesMb().size(), "scalar older tables are vocab-TP 1 only");
    }

    @Test
    void multiTypeModelsUseTheListKey() {
        Path t5 = SampleConfigs.root().resolve("T5/configs/memory_profiling_bf16_t5-3B.json");
        List<LayerType> types = List.of(new LayerType(1024, 512, 24), new LayerType(1024, 512, 24));
        MemoryProfile.Resolved r = MemoryProfile.read(t5).resolve(MemoryProfileMode.STATIC, true, types, 8);
        assertEquals(2, r.layers().size());
        assertEquals(258.19140625, r.layers().get(1).parameterSizeMb(), 1e-12);
        assertEquals(1684.76953125, r.otherPpOff().modelStatesMb().get(1), 1e-12);
        ComputationProfile c = ComputationProfile.read(SampleConfigs.root().resolve("T5/configs/computation_profiling_bf16_t5-3B.json"));
        // Galvatron's static loader misaligns types when several keys exist per type (quirk Q10): type 1 gets type 0's 2nd key
        assertEquals(0.9103591918945306, c.resolve(TimeProfileMode.STATIC, types).layerTimes().get(1).perSampleMs(), 1e-12);
    }

    @Test
    void sequenceModeNeedsSequenceParallel() {
        MemoryProfile m = MemoryProfile.read(SampleConfigs.root().resolve("llama_hf/configs/memory_profiling_bf16_llama-7b.json"));
        InputFileException e = assertThrows(InputFileException.class, () -> m.resolve(MemoryProfileMode.SEQUENCE, false, LLAMA, 8));
        assertTrue(e.getMessage().contains("--sequence_parallel"), e.getMessage());
        InputFileException e2 = assertThrows(InputFileException.class, () -> m.resolve(MemoryProfileMode.STATIC, false, LLAMA, 8));
        assertTrue(e2.getMessage().contains("pass --sequence_parallel"), e2.getMessage());
    }

    @Test
    void missingSequenceLengthIsNamed() {
        MemoryProfile m = MemoryProfile.read(SampleConfigs.root().resolve("llama_hf/configs/memory_profiling_bf16_llama-7b.json"));
        InputFileException e = assertThrows(InputFileException.class,
                () -> m.resolve(MemoryProfileMode.STATIC, true, List.of(new LayerType(4096, 4096, 32)), 8));
        assertTrue(e.getMessage().contains("layertype_0_sp.4096") && e.getMessage().contains("[2048]"), e.getMessage());
    }

    @Test
    void hardwareFilesAndTheirErrors(@TempDir Path dir) throws Exception {
        Path hw = SampleConfigs.root().resolve("hardware_configs");
        HardwareProfile h = HardwareProfile.read(8, hw.resolve("allreduce_bandwidth_1nodes_8gpus_per_node.json"),
                hw.resolve("p2p_bandwidth_1nodes_8gpus_per_node.json"), hw.resolve("overlap_coefficient.json"), null);
        // spec §2.5 check values
        assertEquals(0.0064849581395952085, h.lookup(8), 1e-15);
        assertEquals(0.006417867342682027, h.coe(4, 0), 1e-15);
        assertEquals(0.0072381945047627315, h.coe(2, 1), 1e-15);
        assertEquals(0.0, h.lookup(1));
        assertEquals(0.009136592051164915, h.p2p(8), 1e-15);
        InputFileException sp = assertThrows(InputFileException.class, () -> h.spAllreduce(2));
        assertTrue(sp.getMessage().contains("tp+sp"), sp.getMessage());
        Path bad = dir.resolve("allreduce_bandwidth_1nodes_8gpus_per_node.json");
        Files.writeString(bad, "{\"allreduce_size_8_consec_1\": 154.2, \"allreduce_size_4_consec_1\": 159.1}");
        InputFileException e = assertThrows(InputFileException.class, () -> HardwareProfile.read(8, bad,
                hw.resolve("p2p_bandwidth_1nodes_8gpus_per_node.json"), hw.resolve("overlap_coefficient.json"), null));
        assertTrue(e.getMessage().contains("allreduce_size_4_consec_0") && e.getMessage().contains(bad.toString()), e.getMessage());
        HardwareProfile withSp = HardwareProfile.read(8, hw.resolve("allreduce_bandwidth_1nodes_8gpus_per_node.json"),
                hw.resolve("p2p_bandwidth_1nodes_8gpus_per_node.json"), hw.resolve("overlap_coefficient.json"),
                hw.resolve("sp_time_1nodes_8gpus_per_node.json"));
        assertEquals(0.00249838, withSp.spAllreduce(2).slopeMsPerMb(), 1e-8);
        assertEquals(0.11025102, withSp.spAll2all(8).interceptMs(), 1e-8);
        // exact hit on a profiled size returns the (halved) measurement: 8 MB on 8 GPUs = 0.1827 / 2
        assertEquals(0.1827 / 2, withSp.spAllreduce(8).msFor(8 * 1048576.0), 1e-15);
    }
}
