package studio.runner.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.runner.RunnerCli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run id names a run of this runner and nothing else; only the process a run started is ever signalled. */
class RunSafetyTest {
    /** A process of someone else's, in its own process group, as a victim a pid file could name. */
    private static Process foreignProcess() throws Exception {
        Process p = new ProcessBuilder("setsid", "sleep", "120").start();
        for (int i = 0; i < 100 && RunDirectory.ProcessIdentity.of(p.pid()).map(x -> x.processGroup() != p.pid()).orElse(true); i++) {
            Thread.sleep(20);
        }
        return p;
    }

    private static Path fakeRun(Path dir, String pid) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("run.json"), "{\"id\": \"" + dir.getFileName() + "\", \"engine\": \"djl\"}");
        Files.writeString(dir.resolve("pid"), pid + "\n");
        return dir;
    }

    @Test
    void runIdsCannotLeaveTheRunsFolder(@TempDir Path tmp) throws Exception {
        Path runs = tmp.resolve("runs");
        Files.createDirectories(runs);
        Process victim = foreignProcess();
        try {
            fakeRun(tmp.resolve("elsewhere/run"), Long.toString(victim.pid()));
            for (String cmd : List.of("stop", "status", "follow")) {
                RunnerCli r = RunnerCli.run(cmd, "../elsewhere/run", "--runs-dir", runs.toString());
                assertEquals(1, r.exitCode(), cmd + ": " + r.raw());
                String message = r.named("error").get(0).get("message").asText();
                assertTrue(message.contains("run id '../elsewhere/run'") && message.contains("no path"), message);
            }
            // a link inside the runs folder that points outside is refused the same way
            Files.createSymbolicLink(runs.resolve("linked"), tmp.resolve("elsewhere/run"));
            RunnerCli linked = RunnerCli.run("stop", "linked", "--runs-dir", runs.toString());
            assertEquals(1, linked.exitCode(), linked.raw());
            assertTrue(linked.named("error").get(0).get("message").asText().contains("links outside"), linked.raw());
            assertTrue(victim.isAlive(), "the foreign process was not signalled");
        } finally {
            victim.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPidFileNamingAnotherProcessIsNeverSignalled(@TempDir Path runs) throws Exception {
        Process victim = foreignProcess();
        try {
            fakeRun(runs.resolve("2026-01-01T000000Z-node0"), Long.toString(victim.pid()));
            RunnerCli stop = RunnerCli.run("stop", "2026-01-01T000000Z-node0", "--grace-seconds", "1", "--runs-dir", runs.toString());
            assertEquals(0, stop.exitCode(), stop.raw());
            assertEquals("failed", stop.named("stopped").get(0).get("state").asText(), stop.raw());
            Thread.sleep(300);
            assertTrue(victim.isAlive(), "a process that is not the run's own is left alone");

            RunDirectory one = new RunDirectory(fakeRun(runs.resolve("pid-one"), "1"));
            assertFalse(one.alive());
            assertTrue(one.process().isEmpty(), "pid 1 is never the run's");
            RunDirectory self = new RunDirectory(fakeRun(runs.resolve("pid-self"), Long.toString(ProcessHandle.current().pid())));
            assertTrue(self.process().isEmpty(), "a process that does not run the run's command.sh is not the run's");
        } finally {
            victim.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDamagedRunDoesNotBreakTheList(@TempDir Path runs) throws Exception {
        fakeRun(runs.resolve("a-good-one"), "");
        fakeRun(runs.resolve("b-bad-pid"), "12ab\u0000");
        Path badJson = fakeRun(runs.resolve("c-bad-json"), "5");
        Files.writeString(badJson.resolve("run.json"), "{\"id\": ");
        Files.writeString(fakeRun(runs.resolve("d-bad-exit"), "").resolve("exit_code"), "garbage");
        RunnerCli list = RunnerCli.run("list", "--runs-dir", runs.toString());
        assertEquals(0, list.exitCode(), list.raw());
        List<JsonNode> rows = list.named("run");
        assertEquals(4, rows.size(), list.raw());
        assertEquals("starting", rows.get(0).get("state").asText());
        assertEquals("corrupt", rows.get(1).get("state").asText());
        assertEquals("corrupt", rows.get(2).get("state").asText());
        assertTrue(rows.get(2).get("problem").asText().contains("run.json"), list.raw());
        assertEquals("corrupt", rows.get(3).get("state").asText());
    }

    @Test
    void optionsEndAtDoubleDashAndIdsThatLookLikeOptionsAreRefused(@TempDir Path runs) throws Exception {
        fakeRun(runs.resolve("run-1"), "");
        RunnerCli ok = RunnerCli.run("status", "--runs-dir", runs.toString(), "--", "run-1");
        assertEquals(0, ok.exitCode(), ok.raw());
        assertEquals("starting", ok.named("status").get(0).get("state").asText());
        RunnerCli dash = RunnerCli.run("stop", "--runs-dir", runs.toString(), "--", "-rf");
        assertEquals(1, dash.exitCode(), dash.raw());
        assertTrue(dash.named("error").get(0).get("message").asText().contains("run id '-rf'"), dash.raw());
    }

    @Test
    void theRunsOwnProcessIsStoppedAndRecorded(@TempDir Path runs) throws Exception {
        String id = RunnerCli.launchLongRun(runs);
        RunDirectory dir = new Runs(runs).find(id);
        JsonNode proc = dir.readInfo().path("process");
        assertTrue(proc.path("start_ticks").asLong() > 0, dir.readInfo().toString());
        assertEquals(dir.pid(), proc.path("pid").asLong());
        assertTrue(dir.alive());
        // the pid file rewritten to name another process: the run no longer claims it and stop leaves it alone
        long real = dir.pid();
        Process victim = foreignProcess();
        try {
            Files.writeString(dir.pidFile(), victim.pid() + "\n");
            assertFalse(dir.alive());
            Files.writeString(dir.pidFile(), real + "\n");
            RunnerCli stop = RunnerCli.run("stop", id, "--grace-seconds", "5", "--runs-dir", runs.toString());
            assertEquals("stopped", stop.named("stopped").get(0).get("state").asText(), stop.raw());
            assertTrue(victim.isAlive());
            assertTrue(ProcessHandle.of(real).map(ProcessHandle::isAlive).orElse(false) == false, "the run's own group ended");
        } finally {
            victim.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void dryRunPrintsTheCommandThatWouldRun(@TempDir Path runs) {
        RunnerCli djl = RunnerCli.run("train", "--engine", "djl", "--dry-run", "--train-iters", "7", "--runs-dir", runs.toString());
        assertEquals(0, djl.exitCode(), djl.raw());
        String cmd = djl.named("dry_run").get(0).get("command").asText();
        assertTrue(cmd.startsWith("java ") && cmd.contains("studio.runner.djl.DjlTrainer") && cmd.contains("--iterations 7"), cmd);
        assertFalse(cmd.contains("torchrun"), cmd);
    }
}
