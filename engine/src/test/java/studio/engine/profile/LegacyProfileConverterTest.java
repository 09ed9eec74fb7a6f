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

class LegacyProfileConverterTest {
    static final Path LEGACY = SampleConfigs.root().resolve("legacy");
    static final List<LayerType> LLAMA = List.of(new LayerType(4096, 2048, 32));

    @Test
    void convertedLlamaReadsLikeGalvatronsOwnV2File(@TempDir Path dir) throws Exception {
        var comp = LegacyProfileConverter.computation(LEGACY.resolve("computation_profiling_bf16_hidden4096_head32_seqlen2048.json"), 2048, 8, null);
        Path c = dir.resolve("c.json");
        Files.writeString(c, comp.toPrettyString());
        var mine = ComputationProfile.read(c).resolve(TimeProfileMode.STATIC, LLAMA);
        var theirs = ComputationProfile.read(SampleConfigs.root().resolve("llama_hf/configs/computation_profiling_bf16_llama-7b.json"))
                .resolve(TimeProfileMode.STATIC, LLAMA);
        assertEquals(theirs.layerTimes().get(0), mine.layerTimes().get(0));
        assertEquals(theirs.otherTime(), mine.otherTime());
        // every batch size kept: batch mode still fits the 14 points
        assertEquals(4.89244209, ComputationProfile.read(c).resolve(TimeProfileMode.BATCH, LLAMA).layerTimes().get(0).slopeMs(), 1e-7);
        var mem = LegacyProfileConverter.memory(LEGACY.resolve("memory_profiling_bf16_hidden4096_head32_seqlen2048.json"), 2048);
        Path m = dir.resolve("m.json");
        Files.writeString(m, mem.toPrettyString());
        var a = MemoryProfile.read(m).resolve(MemoryProfileMode.STATIC, true, LLAMA, 8);
        var b = MemoryProfile.read(SampleConfigs.root().resolve("llama_hf/configs/memory_profiling_bf16_llama-7b.json"))
                .resolve(MemoryProfileMode.STATIC, true, LLAMA, 8);
        assertEquals(b, a);
        var nonSp = MemoryProfile.read(m).resolve(MemoryProfileMode.STATIC, false, LLAMA, 8);
        assertEquals(4258.0, nonSp.otherPpOff().modelStatesMb().get(1));
    }

    @Test
    void missingOtherTimeMustBeGiven() {
        InputFileException e = assertThrows(InputFileException.class, () -> LegacyProfileConverter.computation(
                LEGACY.resolve("computation_profiling_bf16_hidden1600_head32_seqlen1024.json"), 1024, 8, null));
        assertTrue(e.getMessage().contains("--other_time_ms"), e.getMessage());
        InputFileException v2 = assertThrows(InputFileException.class, () -> LegacyProfileConverter.computation(
                SampleConfigs.root().resolve("llama_hf/configs/computation_profiling_bf16_llama-7b.json"), 2048, 8, null));
        assertTrue(v2.getMessage().contains("already in the v2 layout"), v2.getMessage());
    }
}
