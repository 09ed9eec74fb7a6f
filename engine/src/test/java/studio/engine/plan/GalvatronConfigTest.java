package studio.engine.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.conformance.SampleConfigs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GalvatronConfigTest {
    @Test
    void readsEveryShippedConfigAndRoundTrips(@TempDir Path dir) throws IOException {
        List<Path> configs;
        try (var s = Files.walk(SampleConfigs.root())) {
            configs = s.filter(p -> p.getFileName().toString().startsWith("galvatron_config_")).toList();
        }
        assertTrue(configs.size() >= 10, "shipped configs: " + configs.size());
        for (Path c : configs) {
            int world = c.getFileName().toString().contains("2nodes") ? 16 : c.getFileName().toString().contains("4gpus") ? 4 : 8;
            GalvatronConfig.Loaded l = GalvatronConfig.read(c, world, PipelineType.GPIPE, DpType.DDP);
            assertTrue(l.plan().layerCount() > 0, c.toString());
            Path out = dir.resolve(c.getFileName());
            GalvatronConfig.write(out, l.plan());
            String text = Files.readString(out);
            assertTrue(text.contains("\"cp_sizes_enc\""), "always writes cp_sizes_enc");
            GalvatronConfig.Loaded back = GalvatronConfig.read(out, world, PipelineType.GPIPE, DpType.DDP);
            assertEquals(l.plan(), back.plan(), "round trip of " + c);
            assertTrue(back.fileViolations().isEmpty(), back.fileViolations().toString());
        }
    }

    @Test
    void writesGalvatronsKeyOrderWithIndentFour() {
        LayerStrategy s = LayerStrategy.parse("2-2*-2");
        ParallelPlan p = new ParallelPlan(List.of(s, s), List.of(1, 1), 64, 32, 2, false, false, PipelineType.PIPEDREAM_FLUSH,
                DpType.ZERO2, null);
        String json = GalvatronConfig.toJson(p);
        assertTrue(json.startsWith("{\n    \"pp_deg\": 2,\n    \"tp_sizes_enc\": \"2,2\",\n    \"tp_consecutive_flags\": \"1,1\",\n"), json);
        assertTrue(json.contains("\"cp_sizes_enc\": \"1,1\""));
        assertTrue(json.endsWith("\"embed_sdp\": 0\n}"));
    }

    @Test
    void strategyFormsRoundTrip() {
        for (String f : List.of("1-1-8", "1-1-8f", "1-2-4*", "1-2*-4f", "1-2-4f*-c-sp", "1-8-1", "1-8-1-c-sp", "2-1-4f-c", "8-1-1")) {
            assertEquals(f, LayerStrategy.parse(f).form());
        }
        LayerStrategy s = LayerStrategy.parse("1-2-4f*-c-sp");
        assertEquals(0, s.tpConsecutive());
        assertEquals(1, s.fsdp());
        assertEquals(1, s.ulysses());
        assertTrue(s.checkpoint());
        assertEquals(8, s.sdpSize());
    }

    @Test
    void validatorReportsEveryBrokenRuleWithItsLayer() {
        var model = new studio.engine.model.ModelDescription("m", studio.engine.model.ModelFamily.LLAMA_HF,
                List.of(new studio.engine.model.LayerType(4096, 2048, 4)), 4096, 32, 8, 11008, 32000);
        LayerStrategy ok = LayerStrategy.parse("1-2*-4");
        LayerStrategy badTp = new LayerStrategy(1, 16, 1, -1, -1, 0, false);
        LayerStrategy strided = LayerStrategy.parse("1-2-4*");
        ParallelPlan p = new ParallelPlan(List.of(ok, badTp, strided), List.of(2), 30, 4, 3, false, false, PipelineType.GPIPE,
                DpType.DDP, null);
        List<RuleViolation> v = PlanValidator.validate(p, model, 8, true);
        assertTrue(v.stream().anyMatch(r -> r.rule() == 4), v.toString());
        assertTrue(v.stream().anyMatch(r -> r.rule() == 6), v.toString());
        assertTrue(v.stream().anyMatch(r -> r.rule() == 8 && r.layer() == 1), v.toString());
        assertTrue(v.stream().anyMatch(r -> r.rule() == 9 && r.layer() == 2), v.toString());
        assertTrue(v.stream().anyMatch(r -> r.rule() == 13 && r.layer() == 1), v.toString());
        assertTrue(v.stream().anyMatch(r -> r.rule() == 16), v.toString());
        assertTrue(v.stream().anyMatch(r -> r.rule() == 17), v.toString());
    }
}
