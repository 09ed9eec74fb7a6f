package studio.runner.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.runner.RunnerCli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Galvatron's GLOBAL mode beside the JSON config, the conversion's model type from the plan's family, checkpoint options. */
class TrainingOptionsTest {
    /** A Galvatron model folder as the runner checks it: the training scripts, under galvatron/models/{family}. */
    private static Path modelFolder(Path root, String family) throws Exception {
        Path dir = root.resolve("galvatron/models/" + family);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train_dist_random.py"), "# Galvatron's script\n");
        Files.writeString(dir.resolve("train_dist.py"), "# Galvatron's script\n");
        return dir;
    }

    private static RunnerCli dryRun(Path runs, Path model, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--dry-run", "--runs-dir", runs.toString(), "--model-dir", model.toString(),
                "--nnodes", "1", "--nproc-per-node", "8"));
        args.addAll(List.of(more));
        return RunnerCli.run(args.toArray(String[]::new));
    }

    private static String problems(RunnerCli r) {
        return r.named("refused").isEmpty() ? "" : r.named("refused").get(0).path("problems").toString();
    }

    @Test
    void globalModePassesGalvatronsFlagsInsteadOfAConfig(@TempDir Path tmp) throws Exception {
        Path model = modelFolder(tmp, "llama_hf");
        RunnerCli r = dryRun(tmp.resolve("runs"), model, "--global-batch", "64", "--pp-deg", "2", "--global-tp-deg", "2", "--global-tp-consec", "1",
                "--sdp", "1", "--chunks", "4", "--global-checkpoint", "1", "--vocab-tp", "2");
        assertEquals(0, r.exitCode(), r.raw());
        String cmd = r.named("dry_run").get(0).get("command").asText();
        assertTrue(cmd.contains("--global_train_batch_size 64 --pp_deg 2 --global_tp_deg 2 --global_tp_consec 1 --sdp 1 --chunks 4 "
                + "--global_checkpoint 1 --vocab_tp 2"), cmd);
        assertFalse(cmd.contains("--galvatron_config_path"), cmd);
    }

    @Test
    void globalModeValuesGalvatronWouldRejectAreRefusedFirst(@TempDir Path tmp) throws Exception {
        Path model = modelFolder(tmp, "llama_hf");
        RunnerCli r = dryRun(tmp.resolve("runs"), model, "--pp-deg", "3", "--global-tp-deg", "16", "--sdp", "2", "--vocab-tp", "3");
        assertEquals(2, r.exitCode(), r.raw());
        String p = problems(r);
        assertTrue(p.contains("--pp-deg 3: expected a power of two dividing the 8 GPUs"), p);
        assertTrue(p.contains("--sdp 2: expected 0 or 1") && p.contains("--vocab-tp 3"), p);
        Path config = tmp.resolve("galvatron_config.json");
        Files.writeString(config, "{}");
        RunnerCli both = dryRun(tmp.resolve("runs"), model, "--config", config.toString(), "--pp-deg", "2");
        assertTrue(problems(both).contains("exclude each other"), both.raw());
        RunnerCli v3 = RunnerCli.run("train", "--dry-run", "--runs-dir", tmp.resolve("runs").toString(), "--runtime", "galvatron-v3",
                "--model-dir", model.toString(), "--pp-deg", "2");
        assertTrue(problems(v3).contains("with --runtime galvatron-v3 give the plan as --config"), v3.raw());
    }

    @Test
    void theConversionTakesThePlansModelFamily(@TempDir Path tmp) throws Exception {
        TrainOptions o = new TrainOptions();
        o.python = "python3";
        o.modelDir = modelFolder(tmp, "gpt_hf");
        o.hfCheckpoint = tmp.resolve("hf");
        assertEquals("gpt", GalvatronLaunch.modelType(o));
        assertTrue(GalvatronLaunch.convertIn(o, tmp.resolve("out")).containsAll(List.of("--model_type", "gpt")));
        o.modelDir = modelFolder(tmp, "bert_hf");
        assertEquals("bert-mlm", GalvatronLaunch.modelType(o));
        o.modelDir = modelFolder(tmp, "llama_hf");
        assertEquals("llama", GalvatronLaunch.modelType(o));
        o.modelType = "mixtral";
        assertEquals("mixtral", GalvatronLaunch.modelType(o), "given, it wins over the folder");

        // Galvatron's g2h converts llama only: exporting a gpt checkpoint back is refused, not silently skipped
        Path gpt = modelFolder(tmp, "gpt_hf");
        RunnerCli r = dryRun(tmp.resolve("runs"), gpt, "--save", tmp.resolve("save").toString(), "--export-hf", tmp.resolve("hf-out").toString());
        assertTrue(problems(r).contains("its g2h converts llama only"), r.raw());
        RunnerCli noSave = dryRun(tmp.resolve("runs"), modelFolder(tmp, "llama_hf"), "--export-hf", tmp.resolve("hf-out").toString());
        assertTrue(problems(noSave).contains("--export-hf needs --save"), noSave.raw());
        RunnerCli resume = dryRun(tmp.resolve("runs"), modelFolder(tmp, "llama_hf"), "--resume-iteration", "100");
        assertTrue(problems(resume).contains("--resume-iteration needs --load"), resume.raw());
    }

    @Test
    void checkpointsDatasetsAndTokenizerReachTrainDist(@TempDir Path tmp) throws Exception {
        Path model = modelFolder(tmp, "llama_hf");
        Path data = tmp.resolve("data/corpus_text_document");
        Files.createDirectories(data.getParent());
        Files.writeString(Path.of(data + ".bin"), "");
        Files.writeString(Path.of(data + ".idx"), "");
        Path tokenizer = Files.writeString(tmp.resolve("tokenizer.model"), "");
        Path load = Files.createDirectories(tmp.resolve("ckpt"));
        RunnerCli r = dryRun(tmp.resolve("runs"), model, "--data-path", data.toString(), "--tokenizer-model", tokenizer.toString(),
                "--load", load.toString(), "--resume-iteration", "200", "--save", tmp.resolve("save").toString(), "--save-interval", "50");
        assertEquals(0, r.exitCode(), r.raw());
        String cmd = r.named("dry_run").get(0).get("command").asText();
        assertTrue(cmd.contains("train_dist.py") && cmd.contains("--data-path " + data) && cmd.contains("--tokenizer-model " + tokenizer), cmd);
        assertTrue(cmd.contains("--load " + load + " --distributed_checkpoint --load_iteration 200"), cmd);
        assertTrue(cmd.contains("--save " + tmp.resolve("save") + " --save-interval 50"), cmd);
    }
}
