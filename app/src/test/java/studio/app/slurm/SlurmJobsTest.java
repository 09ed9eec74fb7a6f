package studio.app.slurm;

import studio.app.cluster.SlurmSettings;
import studio.app.cluster.JobState;
import studio.app.cluster.SlurmJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.app.remote.HostKeyPolicy;
import studio.app.remote.KnownHosts;
import studio.app.remote.OpenSshServer;
import studio.app.remote.RemoteTrainingTest;
import studio.app.remote.SshConnection;
import studio.app.remote.SshSettings;
import studio.app.remote.TrainRequest;
import studio.app.cluster.ClusterHost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jobs on a real Slurm (slurmctld, slurmd and munge on loopback) through a real OpenSSH login node: the runner's DJL
 * smoke trainer followed to its end, a job cancelled while pending and one while running (nothing of it left), a
 * failed job's exit code and log (from sacct: the cluster keeps accounts, as sites do), and Slurm's own refusals of a
 * partition that does not exist, a time limit over the partition's, an account that does not exist and one the user is not in.
 */
class SlurmJobsTest {
    @TempDir
    static Path dir;
    static SlurmCluster cluster;
    static OpenSshServer login;
    static ClusterHost host;
    static SshSettings ssh;
    static Path jar;

    @BeforeAll
    static void start() throws Exception {
        SlurmCluster.assumeAccountingInstalled();
        OpenSshServer.assumeInstalled();
        jar = RemoteTrainingTest.runnerJar();
        // with accounting, as sites run Slurm: sacct knows how ended jobs ended, and accounts are enforced
        cluster = new SlurmCluster(dir.resolve("slurm"), true);
        Path key = OpenSshServer.keygen(dir.resolve("keys/id_ed25519"), "ed25519", "");
        login = new OpenSshServer(dir.resolve("sshd"), "ed25519", List.of(Path.of(key + ".pub")), "");
        host = login.host(key);
        Path known = dir.resolve("known_hosts");
        Files.writeString(known, login.knownHostsLine() + "\n");
        ssh = new SshSettings(new KnownHosts(known, List.of(), HostKeyPolicy.REJECT), null, null, 5_000, 15, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (login != null) login.close();
        if (cluster != null) cluster.close();
    }

    private static SlurmSettings settings(String partition, String timeLimit) {
        return new SlurmSettings("", partition, "", timeLimit, "", false, 0, "", "", List.of("echo job setup ran"),
                dir.resolve("shared").toString(), List.of(cluster.loginSetup()));
    }

    /** The script the studio renders for the smoke trainer, submitted; {@code edit} is the user's edit of it. */
    private static SlurmJob submit(SshConnection c, SlurmClient client, String name, int iterations,
                                   java.util.function.UnaryOperator<String> edit) throws IOException {
        String runner = client.ensureRunner(c);
        String jobDir = client.newJobDir(c, name);
        String script = SbatchScript.render(client.settings(), name, 1, 0, jobDir, runner, TrainRequest.djlSmoke(iterations, 8, 64), null,
                "the DJL smoke trainer");
        String id = client.submit(c, jobDir, edit.apply(script), null);
        return new SlurmJob(id, name, jobDir, JobState.PENDING, "", "", "", 0, 0);
    }

    private static SlurmJob until(SshConnection c, SlurmClient client, SlurmJob job, Predicate<SlurmJob> done, int seconds) throws Exception {
        SlurmJob j = job;
        for (int i = 0; i < seconds * 4; i++) {
            j = client.refresh(c, j);
            if (done.test(j)) return j;
            Thread.sleep(250);
        }
        throw new AssertionError("job " + j.jobId() + " is " + j.state() + " (" + j.reason() + ") after " + seconds + " s; slurmctld: "
                + cluster.run(List.of("scontrol", "show", "job", j.jobId())));
    }

    @Test
    void theSmokeTrainerRunsAsAJobAndItsEventsAreTheRunnersOwn() throws Exception {
        SlurmClient client = new SlurmClient(settings("debug", "5"), jar);
        try (SshConnection c = SshConnection.open(host, ssh)) {
            SlurmJob job = submit(c, client, "smoke", 12, s -> s);
            String script = c.run("cat " + job.scriptFile(), 30);
            assertTrue(script.contains("#SBATCH --partition=debug") && script.contains("#SBATCH --time=5")
                    && script.contains("train --in-job"), script);
            SlurmJob ended = until(c, client, job, j -> j.state().ended(), 240);
            assertEquals(JobState.COMPLETED, ended.state(), client.outputTail(c, ended, 20));
            assertEquals(0, ended.exitStatus());
            SlurmClient.Lines events = client.readLines(c, ended.eventsFile(), 0);
            long iterations = events.lines().stream().filter(l -> l.contains("\"event\":\"iteration\"")).count();
            assertEquals(12, iterations, String.join("\n", events.lines()));
            assertTrue(events.lines().get(events.lines().size() - 1).contains("\"event\":\"finished\""), events.lines().toString());
            // a second read from where the first stopped finds nothing new
            assertEquals(List.of(), client.readLines(c, ended.eventsFile(), events.nextFrom()).lines());
            String output = client.outputTail(c, ended, 20);
            // the job's setup lines ran, and the master is the first node of the job's node list
            String first = cluster.run(List.of("hostname", "-s")).strip();
            assertTrue(output.contains("job setup ran") && output.contains("master " + first + ":29500"), output);
        }
    }

    @Test
    void aPendingJobAndARunningJobAreCancelledAndNothingIsLeft() throws Exception {
        SlurmClient client = new SlurmClient(settings("debug", "5"), jar);
        try (SshConnection c = SshConnection.open(host, ssh)) {
            // the user's edit: start in an hour
            SlurmJob later = submit(c, client, "later", 5, s -> s.replace("#SBATCH --nodes=1\n", "#SBATCH --nodes=1\n#SBATCH --begin=now+3600\n"));
            SlurmJob pending = until(c, client, later, j -> j.state() == JobState.PENDING && !j.reason().isEmpty(), 30);
            assertEquals("BeginTime", pending.reason());
            client.cancel(c, pending.jobId());
            assertEquals(JobState.CANCELLED, until(c, client, pending, j -> j.state().ended(), 30).state());

            SlurmJob longRun = submit(c, client, "long", 1_000_000, s -> s);
            SlurmJob running = until(c, client, longRun, j -> j.state() == JobState.RUNNING, 120);
            // wait until it trains (its events arrive) before cancelling
            for (int i = 0; i < 240 && client.readLines(c, running.eventsFile(), 0).lines().stream().noneMatch(l -> l.contains("\"iteration\"")); i++) {
                Thread.sleep(250);
            }
            client.cancel(c, running.jobId());
            assertEquals(JobState.CANCELLED, until(c, client, running, j -> j.state().ended(), 60).state());
            for (int i = 0; i < 80 && trainerProcesses() > 0; i++) Thread.sleep(250);
            assertEquals(0, trainerProcesses(), "the cancelled job's trainer is gone");
            assertEquals("", cluster.run(List.of("squeue", "-h")).strip(), "nothing left in the queue");
        }
    }

    private static long trainerProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("studio.runner.djl.DjlTrainer")).count();
    }

    @Test
    void aFailedJobShowsItsExitCodeAndItsLog() throws Exception {
        SlurmClient client = new SlurmClient(settings("debug", "5"), jar);
        try (SshConnection c = SshConnection.open(host, ssh)) {
            String runner = client.ensureRunner(c);
            String jobDir = client.newJobDir(c, "broken");
            // Galvatron's engine without a model folder: the runner refuses it, as it would over SSH
            TrainRequest galvatron = new TrainRequest("galvatron", jobDir + "/no-such-model-dir", "llama-7b", null, null, 1, 29500, "bf16", false,
                    false, 10, 1e-5, null, null, null, 100, null, null, 8);
            String id = client.submit(c, jobDir, SbatchScript.render(client.settings(), "broken", 1, 0, jobDir, runner, galvatron, null, "no model"),
                    null);
            SlurmJob ended = until(c, client, new SlurmJob(id, "broken", jobDir, JobState.PENDING, "", "", "", 0, 0), j -> j.state().ended(), 120);
            assertEquals(JobState.FAILED, ended.state());
            assertEquals(2, ended.exitStatus(), "the runner's refusal code: " + ended.exitCode());
            assertTrue(cluster.run(List.of("sacct", "-n", "-X", "-P", "-j", id, "-o", "State,ExitCode")).contains("FAILED|2:0"),
                    "accounting has the job as the studio shows it");
            String events = String.join("\n", client.readLines(c, ended.eventsFile(), 0).lines());
            assertTrue(events.contains("\"event\":\"refused\"") && events.contains("no-such-model-dir"), events);
            assertTrue(client.outputTail(c, ended, 20).contains("exit code 2"), client.outputTail(c, ended, 20));
        }
    }

    @Test
    void slurmsOwnRefusalsAreShownAndNothingIsQueued() throws Exception {
        try (SshConnection c = SshConnection.open(host, ssh)) {
            SlurmClient noPartition = new SlurmClient(settings("nope", "5"), jar);
            IOException e = assertThrows(IOException.class, () -> submit(c, noPartition, "nope", 5, s -> s));
            assertTrue(e.getMessage().contains("invalid partition specified: nope"), e.getMessage());
            SlurmClient tooLong = new SlurmClient(settings("debug", "30"), jar);
            IOException t = assertThrows(IOException.class, () -> submit(c, tooLong, "long", 5, s -> s));
            assertTrue(t.getMessage().contains("time limit"), t.getMessage());
            SlurmClient noAccount = new SlurmClient(new SlurmSettings("nosuch", "debug", "", "5", "", false, 0, "", "", List.of(),
                    dir.resolve("shared").toString(), List.of(cluster.loginSetup())), jar);
            IOException a = assertThrows(IOException.class, () -> submit(c, noAccount, "nosuch", 5, s -> s));
            assertTrue(a.getMessage().contains("Invalid account"), a.getMessage());
            // an account of the cluster's that the user has no association with
            SlurmClient notMine = new SlurmClient(new SlurmSettings(SlurmCluster.FOREIGN_ACCOUNT, "debug", "", "5", "", false, 0, "", "", List.of(),
                    dir.resolve("shared").toString(), List.of(cluster.loginSetup())), jar);
            IOException f = assertThrows(IOException.class, () -> submit(c, notMine, "notmine", 5, s -> s));
            assertTrue(f.getMessage().contains("Invalid account or account/partition combination"), f.getMessage());
            assertEquals("", cluster.run(List.of("squeue", "-h")).strip(), "nothing queued");
        }
    }
}
