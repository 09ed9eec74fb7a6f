package studio.engine.search.v3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.cli.CliRunner;
import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.cost.v3.Galvatron3CostModel;
import studio.engine.inputs.v3.Galvatron3Inputs;
import studio.engine.plan.DpType;
import studio.engine.plan.v3.HybridStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Context parallelism costed as ring attention (the studio's model; Galvatron 3.0 does not cost cp): per GPU the
 * compute and activations of S / cp tokens, plus the exposed K/V exchanges; and what the search then picks.
 */
class RingAttentionTest {
    @TempDir Path tmp;

    private Galvatron3Inputs studioInputs(int seq) {
        return Galvatron3Inputs.load(V3Cases.testYaml(tmp), List.of("search_engine.common_train_info.seq_length=" + seq,
                "+search_engine.search_space_info.disable_cp=0"), null, true);
    }

    @Test
    void aCpLayerHoldsAndComputesItsShareOfTheSequenceAndPaysForItsRing() {
        Galvatron3CostModel c = studioInputs(8192).costModel();
        HybridStrategy dp = new HybridStrategy(1, 2, 1, 1, 4, DpType.ZERO2, false);
        HybridStrategy cp = new HybridStrategy(1, 2, 1, 2, 2, DpType.ZERO2, false);
        // 64 / 32 micro-batches: lbsz 1 with dp 4 ... 1 with dp 2 (B // C = 2): per GPU the same tokens either way
        LayerMemory memoryDp = c.layerMemory().of(dp, 64, 16, 0);
        LayerMemory memoryCp = c.layerMemory().of(cp, 64, 16, 0);
        assertEquals(memoryDp.activationMb(), memoryCp.activationMb(), 1e-9, "dp 4 x 1 sample vs dp 2 x 2 samples of half the tokens");
        LayerTime timeDp = c.layerTime().of(dp, 64, 16);
        LayerTime timeCp = c.layerTime().of(cp, 64, 16);
        assertEquals(timeDp.forwardMs(), timeCp.forwardMs(), 1e-9, "the same tokens per GPU, so the same compute");
        assertTrue(timeCp.tpMs() >= timeDp.tpMs() * 0.999, "the ring adds exchanges; TP messages are the same size");
        Galvatron3CostModel galvatron = Galvatron3Inputs.load(V3Cases.testYaml(tmp), List.of("+search_engine.search_space_info.disable_cp=0"), null)
                .costModel();
        assertEquals(2 * galvatron.layerTime().of(dp, 64, 16).forwardMs(), galvatron.layerTime().of(cp, 64, 16).forwardMs(), 1e-9,
                "Galvatron 3.0 costs cp as a smaller dp: twice the samples, not divided (quirk Q-v3-4)");
    }

    @Test
    void atLongSequencesTheStudioChoosesContextParallelismAndWritesIt() throws Exception {
        Path yaml = V3Cases.testYaml(tmp);
        CliRunner three = CliRunner.run("search", "--json", yaml.toString(), "+search_engine.search_space_info.disable_cp=0");
        assertEquals(0, three.exitCode(), three.err());
        assertTrue(!three.out().contains("[cp"), "Galvatron 3.0's model never picks cp: " + three.out());
        CliRunner studioRun = CliRunner.run("search", "--mode", "studio", "--json", yaml.toString(), "+search_engine.search_space_info.disable_cp=0");
        assertEquals(0, studioRun.exitCode(), studioRun.err());
        assertTrue(studioRun.out().contains("[cp2]") || studioRun.out().contains("[cp4]"), studioRun.out());
        assertTrue(studioRun.out().contains("ring attention"), "the departure is said: " + studioRun.out());
        var j = studio.engine.io.JsonFiles.mapper().readTree(studioRun.out());
        String config = Files.readString(Path.of(j.get("config").asText()));
        assertTrue(config.matches("(?s).*\"cp_sizes_enc\": \"[0-9,]*[24][0-9,]*\".*"), config);
        double withoutCp = studio.engine.io.JsonFiles.mapper().readTree(CliRunner.run("search", "--mode", "studio", "--json", yaml.toString()).out())
                .get("throughput_samples_per_s").asDouble();
        assertTrue(j.get("throughput_samples_per_s").asDouble() > withoutCp, "cp is chosen because it is faster under the ring model");
    }
}
