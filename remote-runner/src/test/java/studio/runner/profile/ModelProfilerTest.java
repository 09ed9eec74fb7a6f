package studio.runner.profile;

import studio.testsupport.PythonTorch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.io.JsonFiles;
import studio.engine.model.LayerType;
import studio.engine.profile.ComputationProfile;
import studio.engine.profile.MemoryProfile;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;
import studio.runner.RunnerCli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DJL model profiler, run for real on CPU on small shapes; its files load in the engine. */
class ModelProfilerTest {
    private static final double MB = 1048576.0;

    private static Path llamaConfig(Path dir) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, """
                {"model_type": "llama", "hidden_size": 256, "num_attention_heads": 8, "num_key_value_heads": 2,
                 "intermediate_size": 688, "num_hidden_layers": 4, "vocab_size": 1000, "max_position_embeddings": 128}
                """);
        return f;
    }

    @Test
    void staticLlamaProfileLoadsInTheEngine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("configs");
        RunnerCli r = RunnerCli.run("profile-model", "--model-config", llamaConfig(dir).toString(), "--model-name", "tiny-llama",
                "--output", out.toString(), "--profile-batch-size", "4", "--profile-seq-length-list", "128", "--layernum-max", "4",
                "--warmup", "2", "--iters", "5", "--device", "cpu", "--max-tp", "4");
        assertEquals(0, r.exitCode(), r.raw());
        assertEquals(3, r.named("profile_progress").size(), r.raw()); // 2 layer counts + memory
        assertEquals(0, r.named("warning").size(), r.raw());
        JsonNode done = r.named("profile_finished").get(0);
        assertEquals(2, done.get("files").size());

        List<LayerType> types = List.of(new LayerType(256, 128, 4));
        ComputationProfile c = ComputationProfile.read(out.resolve("computation_profiling_bf16_tiny-llama.json"));
        double perLayer = c.resolve(TimeProfileMode.STATIC, types).layerTimes().get(0).perSampleMs();
        assertTrue(perLayer > 0, "a layer takes time: " + perLayer);
        ObjectNode raw = JsonFiles.readObject(out.resolve("computation_profiling_bf16_tiny-llama.json"));
        double t1 = raw.get("layernum[1]_bsz4_seq128").asDouble();
        double t4 = raw.get("layernum[4]_bsz4_seq128").asDouble();
        assertEquals((t4 - t1) / 4 / 3, perLayer, 1e-9);

        MemoryProfile.Resolved m = MemoryProfile.read(out.resolve("memory_profiling_bf16_tiny-llama.json"))
                .resolve(MemoryProfileMode.STATIC, false, types, 4);
        // h·(a+2g)·d + h² + 3·h·f + 2h parameters, 4 bytes each
        long params = 256L * (8 + 4) * 32 + 256L * 256 + 3L * 256 * 688 + 2 * 256;
        assertEquals(params * 4 / MB, m.layers().get(0).parameterSizeMb(), 1e-9);
        // bf16 tensors kept for backward: x, n1, x2, n2 (replicated); q, k, v, o, gate/up, SwiGLU out (split by TP)
        double rep = 4.0 * 128 * 256 * 2;
        double sh = 128.0 * 2 * (256 + 64 + 64 + 256 + 2 * 688 + 688);
        var act = m.layers().get(0).activationPerSampleMb();
        assertEquals((rep + sh) / MB, act.get(1), 1e-9);
        assertEquals((rep + sh / 4) / MB, act.get(4), 1e-9);
        MemoryProfile.Resolved sp = MemoryProfile.read(out.resolve("memory_profiling_bf16_tiny-llama.json"))
                .resolve(MemoryProfileMode.STATIC, true, types, 4);
        assertEquals((rep + sh) / 4 / MB, sp.layers().get(0).activationPerSampleMb().get(4), 1e-9);
        assertEquals(128.0 * 256 * 2 / MB, m.layers().get(0).checkpointActivationMb(), 1e-9);
    }

    @Test
    void anInterruptedBatchProfileResumesWhereItStopped(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("configs");
        String[] args = {"profile-model", "--model-config", llamaConfig(dir).toString(), "--model-name", "tiny", "--output", out.toString(),
                "--profile-mode", "batch", "--profile-min-batch-size", "1", "--profile-max-batch-size", "8", "--profile-seq-length-list", "32",
                "--warmup", "1", "--iters", "3", "--device", "cpu", "--max-tp", "2"};
        RunnerCli first = RunnerCli.run(args);
        assertEquals(0, first.exitCode(), first.raw());
        assertEquals(17, first.named("profile_progress").size(), first.raw());
        // as if killed after some measurements: drop the files and the last five measurements from the progress record
        Path progress = out.resolve(".model-profile/progress.json");
        ObjectNode p = JsonFiles.readObject(progress);
        ObjectNode times = (ObjectNode) p.get("times");
        List<String> keys = new java.util.ArrayList<>();
        times.fieldNames().forEachRemaining(keys::add);
        for (String k : keys.subList(keys.size() - 4, keys.size())) times.remove(k);
        ((ObjectNode) p.get("memory")).removeAll();
        Files.writeString(progress, p.toPrettyString());
        Files.delete(out.resolve("computation_profiling_bf16_tiny.json"));

        RunnerCli again = RunnerCli.run(args);
        assertEquals(0, again.exitCode(), again.raw());
        assertEquals(12, again.named("profile_resumed").get(0).get("measurements_kept").asInt(), again.raw());
        assertEquals(5, again.named("profile_progress").size(), again.raw());
        ComputationProfile c = ComputationProfile.read(out.resolve("computation_profiling_bf16_tiny.json"));
        assertEquals(32, c.values().size()); // 8 batch sizes × (2 raw + layer + other)
        c.resolve(TimeProfileMode.BATCH, List.of(new LayerType(256, 32, 4))); // 8 batch sizes make a fit

        RunnerCli fresh = RunnerCli.run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--fresh"))
                .toArray(String[]::new));
        assertEquals(17, fresh.named("profile_progress").size(), fresh.raw());
    }

    @Test
    void sequenceModeFitsInTheEngine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("configs");
        RunnerCli r = RunnerCli.run("profile-model", "--model-config", llamaConfig(dir).toString(), "--model-name", "tiny", "--output",
                out.toString(), "--profile-mode", "sequence", "--profile-batch-size", "1", "--profile-min-seq-length", "32",
                "--profile-max-seq-length", "128", "--profile-seq-length-step", "32", "--layernum-max", "3", "--warmup", "1", "--iters", "3",
                "--device", "cpu", "--max-tp", "2");
        assertEquals(0, r.exitCode(), r.raw());
        assertEquals(4 * 2 + 3, r.named("profile_progress").size(), r.raw()); // seq 32..128 step 32 timed; memory at 32, 64, 128
        List<LayerType> types = List.of(new LayerType(256, 128, 4));
        var t = ComputationProfile.read(out.resolve("computation_profiling_bf16_tiny.json")).resolve(TimeProfileMode.SEQUENCE, types);
        assertTrue(t.layerTimes().get(0).perSampleMs() > 0);
        MemoryProfile.Resolved m = MemoryProfile.read(out.resolve("memory_profiling_bf16_tiny.json"))
                .resolve(MemoryProfileMode.SEQUENCE, true, types, 2);
        assertTrue(m.layers().get(0).activationPerSampleMb().get(1) > 0);
        ObjectNode mem = JsonFiles.readObject(out.resolve("memory_profiling_bf16_tiny.json"));
        assertEquals(List.of("32", "64", "128"), iterator(mem.get("layertype_0_sp").fieldNames()));

        RunnerCli wrongBatch = RunnerCli.run("profile-model", "--model-config", llamaConfig(dir).toString(), "--output", dir.resolve("b").toString(),
                "--profile-mode", "sequence", "--profile-batch-size", "2", "--profile-min-seq-length", "32", "--profile-max-seq-length", "32",
                "--warmup", "0", "--iters", "1", "--device", "cpu");
        assertTrue(wrongBatch.named("warning").get(0).get("message").asText().contains("batch size 1"), wrongBatch.raw());
    }

    private static List<String> iterator(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void gptLayersCountTheirBiasesAndDropoutMasks(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("gpt.json");
        Files.writeString(cfg, """
                {"model_type": "gpt2", "n_embd": 128, "n_head": 4, "n_layer": 2, "vocab_size": 512, "n_positions": 64}
                """);
        Path out = dir.resolve("configs");
        RunnerCli r = RunnerCli.run("profile-model", "--model-config", cfg.toString(), "--output", out.toString(), "--profile-batch-size", "2",
                "--profile-seq-length-list", "64", "--warmup", "1", "--iters", "3", "--device", "cpu", "--max-tp", "2", "--mixed-precision", "fp32");
        assertEquals(0, r.exitCode(), r.raw());
        MemoryProfile.Resolved m = MemoryProfile.read(out.resolve("memory_profiling_fp32_hidden128_head4.json"))
                .resolve(MemoryProfileMode.STATIC, false, List.of(new LayerType(128, 64, 2)), 2);
        assertEquals((12.0 * 128 * 128 + 13 * 128) * 4 / MB, m.layers().get(0).parameterSizeMb(), 1e-9);
        double rep = 4.0 * 64 * 128 * 4 + 2.0 * 64 * 128;
        double sh = 64.0 * 4 * (4 * 128 + 2 * 512);
        assertEquals((rep + sh / 2) / MB, m.layers().get(0).activationPerSampleMb().get(2), 1e-9);
    }

    @Test
    void theTorchFallbackMeasuresTheSameLayer(@TempDir Path dir) throws Exception {
        String python = PythonTorch.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null, "no Python with torch here (.ci/run installs python3-torch)");
        Path cfg = llamaConfig(dir);
        String[] common = {"profile-model", "--model-config", cfg.toString(), "--model-name", "tiny", "--profile-batch-size", "2",
                "--profile-seq-length-list", "64", "--layernum-max", "3", "--warmup", "1", "--iters", "3", "--device", "cpu", "--max-tp", "4"};
        RunnerCli torch = RunnerCli.run(java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--output", dir.resolve("torch").toString(), "--engine", "torch", "--python", python)).toArray(String[]::new));
        assertEquals(0, torch.exitCode(), torch.raw());
        assertTrue(torch.named("profile_started").get(0).get("engine").asText().startsWith("torch "), torch.raw());
        RunnerCli djl = RunnerCli.run(java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--output", dir.resolve("djl").toString(), "--engine", "djl")).toArray(String[]::new));
        assertEquals(0, djl.exitCode(), djl.raw());
        // the same layer: identical parameter and activation accounting, whichever engine ran it
        ObjectNode a = JsonFiles.readObject(dir.resolve("torch/memory_profiling_bf16_tiny.json"));
        ObjectNode b = JsonFiles.readObject(dir.resolve("djl/memory_profiling_bf16_tiny.json"));
        assertEquals(b.get("layertype_0"), a.get("layertype_0"));
        assertEquals(b.get("layertype_0_sp"), a.get("layertype_0_sp"));
        List<LayerType> types = List.of(new LayerType(256, 64, 4));
        assertTrue(ComputationProfile.read(dir.resolve("torch/computation_profiling_bf16_tiny.json"))
                .resolve(TimeProfileMode.STATIC, types).layerTimes().get(0).perSampleMs() > 0);
    }

    @Test
    void postProcessingIsGalvatronsAndSanityChecksFlag() {
        ObjectNode times = JsonFiles.mapper().createObjectNode();
        // Galvatron's own example: (149.6523 - 86.6607) / 8 / 2 = 3.93697
        times.put("layernum[2]_bsz8_seq2048", 86.6607);
        times.put("layernum[4]_bsz8_seq2048", 149.6523);
        ObjectNode c = ModelProfiler.computationProfile(times, List.<int[]>of(new int[] {8, 2048}), 2, 4);
        assertEquals(3.936975, c.get("layertype_0_bsz8_seq2048").asDouble(), 1e-9);
        assertEquals((86.6607 - 2 * 3.936975 * 8) / 8, c.get("layertype_other_bsz8_seq2048").asDouble(), 1e-9);

        ObjectNode shrinking = JsonFiles.mapper().createObjectNode();
        shrinking.put("layertype_0_bsz1_seq512", 2.0);
        shrinking.put("layertype_0_bsz2_seq512", 0.5);
        shrinking.put("layertype_0_bsz3_seq512", -0.1);
        List<String> f = ModelProfiler.checkTimes(shrinking, List.of(new int[] {1, 512}, new int[] {2, 512}, new int[] {3, 512}),
                ModelProfiler.Mode.BATCH);
        assertEquals(2, f.size(), f.toString());
        assertTrue(f.get(0).contains("grow with the batch size"), f.get(0));
        assertTrue(f.get(1).contains("not slower"), f.get(1));

        ObjectNode mem = JsonFiles.mapper().createObjectNode();
        ObjectNode at = mem.putObject("2048");
        at.put("replicated_bytes_bsz1", 100).put("sharded_bytes_bsz1", 100).put("replicated_bytes_bsz2", 200).put("sharded_bytes_bsz2", 300);
        assertTrue(ModelProfiler.checkMemory(mem).get(0).contains("not linear"));
        at.put("sharded_bytes_bsz2", 200);
        assertTrue(ModelProfiler.checkMemory(mem).isEmpty());
    }
}
