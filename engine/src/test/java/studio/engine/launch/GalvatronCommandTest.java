package studio.engine.launch;

import org.junit.jupiter.api.Test;
import studio.engine.plan.TargetRuntime;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GalvatronCommandTest {
    private static TrainingLaunch v2(String config, GlobalModeArgs global) {
        return new TrainingLaunch(TargetRuntime.GALVATRON_V2, "llama-7b", null, 4, 2048, config, config == null ? 32 : null, global, "bf16",
                true, true, true, 20, 1e-4, 1e-5, null, null, null, null, null, "/ckpt", 10, null);
    }

    @Test
    void rendezvousFlagsComeFirstOrAreLeftToTorchrunsEnvironment() {
        List<String> withRendezvous = GalvatronCommand.train(v2("/etc/plan.json", null), new Rendezvous(2, 8, 1, "head", 29500));
        assertEquals(List.of("torchrun", "--nnodes", "2", "--nproc_per_node", "8", "--node_rank", "1", "--master_addr", "head", "--master_port",
                "29500", "train_dist_random.py", "--model_size", "llama-7b"), withRendezvous.subList(0, 14));
        List<String> fromEnvironment = GalvatronCommand.train(v2("/etc/plan.json", null), null);
        assertEquals(List.of("torchrun", "train_dist_random.py"), fromEnvironment.subList(0, 2));
        assertEquals(withRendezvous.subList(11, withRendezvous.size()), fromEnvironment.subList(1, fromEnvironment.size()));
        String line = ShellWords.command(fromEnvironment);
        assertTrue(line.contains("--galvatron_config_path /etc/plan.json") && line.contains("--set_layernum_manually 1 --num_hidden_layers 4")
                && line.contains("--save /ckpt --save-interval 10") && !line.contains("--no_async_grad_reduce"), line);
    }

    @Test
    void globalModeFlagsOnlyWithoutAConfig() {
        GlobalModeArgs g = new GlobalModeArgs(2, 4, 1, 0, 8, 1, 2, 0, "pipedream_flush", "zero2");
        String line = ShellWords.command(GalvatronCommand.train(v2(null, g), null));
        assertTrue(line.contains("--global_train_batch_size 32 --pp_deg 2 --global_tp_deg 4 --global_tp_consec 1 --sdp 0 --chunks 8 "
                + "--global_checkpoint 1 --vocab_tp 2 --embed_sdp 0 --pipeline_type pipedream_flush --default_dp_type zero2"), line);
        assertThrows(IllegalArgumentException.class, () -> v2("/etc/plan.json", g));
    }

    @Test
    void galvatron3IsItsHydraLaunch() {
        var l = new TrainingLaunch(TargetRuntime.GALVATRON_V3, "mixtral-8x7b-e8k2", "/etc/gs/model.yaml", null, null, "/etc/gs/plan.json", null,
                null, "bf16", true, false, false, 5, 1e-4, 1e-5, "/data/corpus", null, "/data/tok.model", null, null, null, 10, null);
        List<String> c = GalvatronCommand.train(l, null);
        assertEquals(List.of("torchrun", "train_dist.py", "scripts/train_dist.yaml", "runtime.model.model_size=mixtral-8x7b-e8k2",
                "runtime.model.model_config_path=/etc/gs/model.yaml"), c.subList(0, 5));
        assertTrue(c.contains("runtime.parallel.galvatron_config_path=/etc/gs/plan.json") && c.contains("runtime.parallel.async_grad_reduce=false")
                && c.contains("runtime.data.data_path=[/data/corpus]") && c.contains("runtime.data.tokenizer_type=Llama2Tokenizer"), c.toString());
        assertFalse(c.contains("runtime.data.use_random_dataset=true"));
    }

    @Test
    void convertersLiveInGalvatronsToolsFolder() {
        assertEquals("/opt/Hetu-Galvatron/galvatron/tools", GalvatronCommand.toolsDir("/opt/Hetu-Galvatron/galvatron/models/llama_hf/"));
        assertEquals("/tools", GalvatronCommand.toolsDir("/models/gpt"));
        assertEquals(List.of("python3", "/g/tools/checkpoint_convert_h2g.py", "--model_type", "gpt", "--input_checkpoint", "/hf", "--output_dir", "/out"),
                GalvatronCommand.convertIn("python3", "/g/models/gpt_hf", "gpt", "/hf", "/out"));
        assertEquals(List.of("python3", "/g/tools/checkpoint_convert_g2h.py", "--model_type", "llama", "--input_checkpoint", "/ckpt", "--output_dir",
                "/hf-out", "--model_config", "llama-7b", "--load_iteration", "20"), GalvatronCommand.convertOut("python3", "/g/models/llama_hf", "llama",
                v2("/p.json", null), "/hf-out"));
    }

    @Test
    void shellWordsQuoteWhatTheShellWouldSplitOrExpand() {
        assertEquals("plain/path-1.json", ShellWords.quote("plain/path-1.json"));
        assertEquals("''", ShellWords.quote(""));
        assertEquals("'a b'", ShellWords.quote("a b"));
        assertEquals("'$HOME'", ShellWords.quote("$HOME"));
        assertEquals("'it'\\''s'", ShellWords.quote("it's"));
    }
}
