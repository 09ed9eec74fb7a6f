package studio.app.slurm;

import org.junit.jupiter.api.Test;
import studio.app.cluster.SlurmSettings;
import studio.app.remote.TrainRequest;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch script of a plan's run with every setting a site uses, and the settings Slurm would refuse, named. */
class SbatchScriptTest {
    private static SlurmSettings site() {
        return new SlurmSettings("proj-42", "gpu", "high", "1-12:00:00", "a100&ib", true, null, "nvcr.io#nvidia/pytorch:24.05-py3",
                "/lustre:/lustre,/home:/home", List.of("module load cuda/12.4", "source /lustre/venv/bin/activate"), "/lustre/studio",
                List.of("module load slurm"));
    }

    @Test
    void everySettingReachesTheScriptAndEachNodeGetsItsRankFromSlurm() {
        TrainRequest plan = new TrainRequest("galvatron", "/lustre/Galvatron/galvatron/models/llama_hf", "llama-7b", null, null, 8, 29500, "bf16",
                true, true, 500, 1e-5, null, null, null, 100, null, null, null);
        String s = SbatchScript.render(site(), "llama-7b", 4, 8, "/lustre/studio/jobs/j1", "/lustre/studio/remote-runner.jar", plan,
                "/lustre/studio/jobs/j1/galvatron_config.json", "llama-7b on 4 x 8 GPUs");
        for (String line : List.of("#SBATCH --job-name=llama-7b", "#SBATCH --nodes=4", "#SBATCH --ntasks-per-node=1", "#SBATCH --gpus-per-node=8",
                "#SBATCH --time=1-12:00:00", "#SBATCH --partition=gpu", "#SBATCH --account=proj-42", "#SBATCH --qos=high",
                "#SBATCH --constraint=a100&ib", "#SBATCH --exclusive", "#SBATCH --chdir=/lustre/studio/jobs/j1",
                "#SBATCH --output=/lustre/studio/jobs/j1/slurm-%j.out", "module load cuda/12.4", "source /lustre/venv/bin/activate",
                "export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)", "export MASTER_PORT=29500",
                "export NUM_NODES=$SLURM_JOB_NUM_NODES")) {
            assertTrue(s.contains(line + "\n"), "missing line: " + line + "\n" + s);
        }
        assertTrue(s.contains("'--container-image=nvcr.io#nvidia/pytorch:24.05-py3' --container-mounts=/lustre:/lustre,/home:/home"), s);
        assertTrue(s.contains("--output=/lustre/studio/jobs/j1/node-%n.events"), s);
        // the rank and the master come from Slurm on each node, never the ones the request was made with
        assertTrue(s.contains("--nnodes \"$NUM_NODES\" --node-rank \"$NODE_RANK\" --master-addr \"$MASTER_ADDR\""), s);
        assertEquals(1, s.split("--node-rank", -1).length - 1, "one --node-rank: " + s);
        assertTrue(s.contains("--config /lustre/studio/jobs/j1/galvatron_config.json") && s.contains("train --in-job"), s);
        // the #SBATCH lines come before the first command, as sbatch reads them
        assertTrue(s.lastIndexOf("#SBATCH") < s.indexOf("set -euo pipefail"), s);
    }

    @Test
    void theSettingsGpuCountWinsAndNoneMeansNoGpuRequest() {
        TrainRequest smoke = TrainRequest.djlSmoke(5, 8, 64);
        SlurmSettings noGpus = new SlurmSettings("", "", "", "", "", false, 0, "", "", List.of(), "/shared", List.of());
        String s = SbatchScript.render(noGpus, "smoke", 1, 8, "/shared/jobs/j", "/shared/remote-runner.jar", smoke, null, "smoke");
        assertFalse(s.contains("--gpus-per-node"), s);
        assertFalse(s.contains("--partition") || s.contains("--account") || s.contains("--time"), "unset settings are left to the site: " + s);
    }

    @Test
    void settingsSlurmWouldRefuseAreNamedWithWhatWouldWork() {
        IllegalArgumentException time = assertThrows(IllegalArgumentException.class, () -> new SlurmSettings("", "", "", "12h", "", false, null, "", "",
                List.of(), "/shared", List.of()));
        assertTrue(time.getMessage().contains("time limit") && time.getMessage().contains("HH:MM:SS") && time.getMessage().contains("12h"),
                time.getMessage());
        IllegalArgumentException partition = assertThrows(IllegalArgumentException.class, () -> new SlurmSettings("", "gpu nodes", "", "", "",
                false, null, "", "", List.of(), "/shared", List.of()));
        assertTrue(partition.getMessage().contains("partition") && partition.getMessage().contains("gpu nodes"), partition.getMessage());
        IllegalArgumentException dir = assertThrows(IllegalArgumentException.class, () -> SlurmSettings.defaults("relative/dir"));
        assertTrue(dir.getMessage().contains("working folder") && dir.getMessage().contains("absolute"), dir.getMessage());
        IllegalArgumentException gpus = assertThrows(IllegalArgumentException.class, () -> new SlurmSettings("", "", "", "", "", false, 100, "", "",
                List.of(), "/shared", List.of()));
        assertTrue(gpus.getMessage().contains("GPUs per node"), gpus.getMessage());
        assertEquals("~/studio", SlurmSettings.defaults("~/studio").workDir(), "a home-relative folder is the login node's own");
    }
}
