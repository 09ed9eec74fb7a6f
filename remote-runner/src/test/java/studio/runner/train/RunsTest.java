package studio.runner.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.runner.RunnerCli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs for real: the DJL smoke trainer detached in its own run folder, followed, listed, stopped. */
class RunsTest {
    @Test
    void djlRunStreamsGalvatronStyleEventsAndIsReattachable(@TempDir Path runs) throws Exception {
        RunnerCli r = RunnerCli.run("train", "--engine", "djl", "--runs-dir", runs.toString(), "--train-iters", "40", "--global-batch", "4",
                "--seq-length", "16", "--djl-hidden", "32", "--djl-device", "cpu", "--lr", "0.5", "--follow");
        assertEquals(0, r.exitCode(), r.raw());
        String run = r.named("launched").get(0).get("run").asText();
        assertEquals(1, r.named("started").size(), r.raw());
        List<JsonNode> its = r.named("iteration");
        assertEquals(40, its.size(), r.raw());
        double first = (its.get(0).get("loss").asDouble() + its.get(1).get("loss").asDouble() + its.get(2).get("loss").asDouble()) / 3;
        double last = (its.get(37).get("loss").asDouble() + its.get(38).get("loss").asDouble() + its.get(39).get("loss").asDouble()) / 3;
        assertTrue(last < first * 0.95, "the smoke model learns: " + first + " -> " + last);
        assertTrue(its.get(0).get("samples_per_s").asDouble() > 0);
        assertEquals(1, r.named("finished").size(), r.raw());
        assertEquals(0, r.named("finished").get(0).get("exit_code").asInt());

        // re-attach from an event number: only what came after
        long third = its.get(2).get("seq").asLong();
        RunnerCli again = RunnerCli.run("follow", run, "--from", String.valueOf(third), "--runs-dir", runs.toString());
        assertEquals(37, again.named("iteration").size(), again.raw());
        RunnerCli status = RunnerCli.run("status", run, "--runs-dir", runs.toString());
        assertEquals("finished", status.named("status").get(0).get("state").asText());
        assertEquals(40, status.named("status").get(0).get("last_iteration").get("iteration").asInt());
        RunnerCli list = RunnerCli.run("list", "--runs-dir", runs.toString());
        assertEquals(run, list.named("run").get(0).get("run").asText());
        Path dir = runs.resolve(run);
        for (String f : List.of("command.sh", "run.json", "train.log", "pid", "exit_code")) assertTrue(Files.exists(dir.resolve(f)), f);
    }

    @Test
    void stopEndsTheProcessGroup(@TempDir Path runs) throws Exception {
        String run = RunnerCli.launchLongRun(runs);
        RunDirectory dir = new Runs(runs).find(run);
        for (int i = 0; i < 100 && !dir.alive(); i++) Thread.sleep(50);
        assertTrue(dir.alive());
        RunnerCli stop = RunnerCli.run("stop", run, "--grace-seconds", "5", "--runs-dir", runs.toString());
        assertEquals("stopped", stop.named("stopped").get(0).get("state").asText(), stop.raw());
        assertFalse(dir.alive());
    }

    @Test
    void refusesARunThatWouldFailBeforeStartingAnything(@TempDir Path runs, @TempDir Path galvatron) throws Exception {
        Path model = galvatron.resolve("models/llama_hf");
        Files.createDirectories(model.resolve("meta_configs"));
        Files.writeString(model.resolve("train_dist.py"), "# Galvatron's entry point stands here\n");
        Files.writeString(model.resolve("train_dist_random.py"), "# and its random-data twin\n");
        Files.writeString(model.resolve("meta_configs/llama-7b.json"), "{\"dim\": 4096, \"multiple_of\": 256, \"n_heads\": 32, "
                + "\"n_layers\": 32, \"norm_eps\": 1e-06, \"vocab_size\": 32000, \"n_positions\": 2048}");
        Path config = runs.resolve("galvatron_config.json");
        try (var in = RunsTest.class.getResourceAsStream("/s1_config.json")) {
            Files.write(config, in.readAllBytes());
        }
        RunnerCli r = RunnerCli.run("train", "--model-dir", model.toString(), "--config", config.toString(), "--data-path",
                "/nowhere/corpus_text_document", "--sequence-parallel", "--runs-dir", runs.toString());
        assertEquals(2, r.exitCode(), r.raw());
        assertEquals(1, r.named("refused").size(), r.raw());
        String problems = r.named("refused").get(0).get("problems").toString();
        assertTrue(problems.contains("cp_sizes_enc") && problems.contains("rule 9") && problems.contains("corpus_text_document.bin"), problems);
        assertTrue(new Runs(runs).list().isEmpty(), "nothing started");

        RunnerCli dry = RunnerCli.run("train", "--model-dir", model.toString(), "--nnodes", "2", "--node-rank", "1", "--master-addr", "10.0.0.1",
                "--global-batch", "64", "--flash-attn", "--sequence-parallel", "--dry-run", "--runs-dir", runs.toString());
        String cmd = dry.named("dry_run").get(0).get("command").asText();
        assertTrue(cmd.startsWith("torchrun --nnodes 2 --nproc_per_node 8 --node_rank 1 --master_addr 10.0.0.1 --master_port 29500 "
                + "train_dist_random.py --model_size llama-7b"), cmd);
        assertTrue(cmd.contains("--use-flash-attn --sequence-parallel") && cmd.contains("--profile 1 --exit_after_profiling 0"), cmd);
    }

    @Test
    void aThreeZeroMoePlanLaunchesTheMoeModelWithItsYamlAndIsCheckedAgainstItsExperts(@TempDir Path runs, @TempDir Path galvatron) throws Exception {
        // Galvatron 3.0's tree: models/moe/{train_dist.py, scripts/train_dist.yaml} and models/model_configs/<model>.yaml
        Path moe = galvatron.resolve("models/moe");
        Files.createDirectories(moe.resolve("scripts"));
        Files.createDirectories(galvatron.resolve("models/model_configs"));
        Files.writeString(moe.resolve("train_dist.py"), "# Galvatron 3.0's MoE entry point stands here\n");
        Files.writeString(moe.resolve("scripts/train_dist.yaml"), "runtime:\n  model:\n    is_moe_model: true\n");
        Path samples = studio.engine.inputs.InputLocator.defaultSampleRoot().resolve("galvatron3/models");
        Files.copy(samples.resolve("model_configs/mixtral-8x7b-e8k2.yaml"), galvatron.resolve("models/model_configs/mixtral-8x7b-e8k2.yaml"));
        Path config = samples.resolve("moe/configs/galvatron_config_mixtral-8x7b-e8k2_2nodes_8gpus_per_node_80GB_bf16.json");
        RunnerCli dry = RunnerCli.run("train", "--runtime", "galvatron-v3", "--model-dir", moe.toString(), "--model-size", "mixtral-8x7b-e8k2",
                "--config", config.toString(), "--nnodes", "2", "--node-rank", "0", "--seq-length", "32768", "--flash-attn", "--sequence-parallel",
                "--dry-run", "--runs-dir", runs.toString());
        assertEquals(0, dry.exitCode(), dry.raw());
        String cmd = dry.named("dry_run").get(0).get("command").asText();
        assertTrue(cmd.startsWith("torchrun --nnodes 2 --nproc_per_node 8 --node_rank 0 --master_addr 127.0.0.1 --master_port 29500 "
                + "train_dist.py scripts/train_dist.yaml runtime.model.model_size=mixtral-8x7b-e8k2 runtime.model.model_config_path="), cmd);
        assertTrue(cmd.contains("runtime.parallel.galvatron_config_path=" + config.toAbsolutePath()) && cmd.contains("runtime.train.seq_length=32768")
                && cmd.contains("runtime.data.use_random_dataset=true") && cmd.contains("runtime.train.use_flash_attn=true"), cmd);

        // a layout the runtime asserts on: ep 16 over 8 experts
        String text = Files.readString(config).replaceAll("\"ep_sizes_enc\": \"[0-9,]*\"", "\"ep_sizes_enc\": \"" + "16,".repeat(31) + "16\"")
                .replaceAll("\"tp_of_ep_sizes_enc\": \"[0-9,]*\"", "\"tp_of_ep_sizes_enc\": \"" + "1,".repeat(31) + "1\"");
        Path broken = runs.resolve("broken.json");
        Files.writeString(broken, text);
        RunnerCli refused = RunnerCli.run("train", "--runtime", "galvatron-v3", "--model-dir", moe.toString(), "--model-size", "mixtral-8x7b-e8k2",
                "--config", broken.toString(), "--nnodes", "2", "--runs-dir", runs.toString());
        assertEquals(2, refused.exitCode(), refused.raw());
        String problems = refused.named("refused").get(0).get("problems").toString();
        assertTrue(problems.contains("ep 16 does not divide the 8 experts"), problems);
    }

    @Test
    void envReportsWhatIsMissingWithoutFailing(@TempDir Path runs) {
        RunnerCli r = RunnerCli.run("env", "--runs-dir", runs.toString());
        assertEquals(0, r.exitCode());
        assertEquals(1, r.named("host").size());
        assertTrue(r.named("gpus").get(0).has("found"));
        assertTrue(r.named("disk").get(0).get("free_gb").asDouble() > 0);
        assertEquals(1, r.named("torch").size());
    }
}
