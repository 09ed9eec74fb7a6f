package studio.app.slurm;

import org.junit.jupiter.api.Assumptions;
import studio.testsupport.FreePort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real one-node Slurm cluster on loopback (Debian's slurm-wlm and munge, which .ci/run installs): munged on its own
 * socket and key, slurmctld and slurmd on free ports, every file in a temporary folder, started and stopped by the
 * test. One partition, {@code debug}, with a 10-minute limit that sbatch enforces at submission.
 */
public final class SlurmCluster implements AutoCloseable {
    public final Path dir;
    public final Path conf;
    private final Path munged;
    private Process controller;
    private Process node;

    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/slurmctld")) && Files.isExecutable(Path.of("/usr/sbin/slurmd"))
                && Files.isExecutable(Path.of("/usr/sbin/munged")), "slurm-wlm and munge are installed by .ci/run");
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "slurmd runs jobs as their user: the test runs as root");
    }

    public SlurmCluster(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        for (String d : List.of("state", "spool", "log")) Files.createDirectories(dir.resolve(d));
        byte[] key = new byte[1024];
        new SecureRandom().nextBytes(key);
        Path keyFile = dir.resolve("munge.key");
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        munged = dir.resolve("munge.socket");
        run(List.of("/usr/sbin/munged", "--force", "--socket=" + munged, "--key-file=" + keyFile, "--log-file=" + dir.resolve("log/munged.log"),
                "--pid-file=" + dir.resolve("munged.pid"), "--seed-file=" + dir.resolve("munged.seed")));
        String host = run(List.of("hostname", "-s")).strip();
        int cpus = Runtime.getRuntime().availableProcessors();
        this.conf = dir.resolve("slurm.conf");
        Files.writeString(conf, String.join("\n",
                "ClusterName=studio-test",
                "SlurmctldHost=" + host + "(127.0.0.1)",
                "SlurmctldPort=" + FreePort.next(),
                "SlurmdPort=" + FreePort.next(),
                "SlurmUser=root", "SlurmdUser=root",
                "AuthType=auth/munge", "CredType=cred/munge", "AuthInfo=socket=" + munged,
                "StateSaveLocation=" + dir.resolve("state"), "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"), "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"), "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
                "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "MpiDefault=none",
                "SelectType=select/cons_tres", "SelectTypeParameters=CR_Core",
                "SchedulerType=sched/backfill", "SchedulerParameters=sched_interval=1",
                "JobAcctGatherType=jobacct_gather/none", "AccountingStorageType=accounting_storage/none",
                "EnforcePartLimits=ALL", "ReturnToService=2", "MinJobAge=600", "KillWait=5",
                "SlurmctldTimeout=30", "SlurmdTimeout=30", "InactiveLimit=0",
                "NodeName=" + host + " NodeAddr=127.0.0.1 CPUs=" + cpus + " State=UNKNOWN",
                "PartitionName=debug Nodes=ALL Default=YES MaxTime=10 State=UP", ""));
        controller = daemon("/usr/sbin/slurmctld", "slurmctld");
        node = daemon("/usr/sbin/slurmd", "slurmd");
        // the node registers with the controller: wait until the partition has an idle node
        for (int i = 0; i < 150; i++) {
            String info = run(List.of("sinfo", "-h", "-o", "%t"));
            if (info.strip().startsWith("idle")) return;
            Thread.sleep(200);
        }
        throw new IOException("Slurm did not come up: " + Files.readString(dir.resolve("log/slurmctld.log")));
    }

    /** What the login node needs before its Slurm commands: this cluster's config. */
    public String loginSetup() {
        return "export SLURM_CONF=" + conf;
    }

    private Process daemon(String exe, String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(exe, "-D", "-f", conf.toString());
        pb.environment().put("SLURM_CONF", conf.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/" + name + ".stdout").toFile()));
        return pb.start();
    }

    /** A Slurm command here, with this cluster's config. */
    public String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SLURM_CONF", conf == null ? "" : conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            // nothing is left running: jobs first, then the daemons
            run(List.of("scancel", "--full", "--user=root"));
            for (Process p : new Process[] {node, controller}) {
                if (p == null) continue;
                p.destroy();
                if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
            }
            run(List.of("/usr/sbin/munged", "--stop", "--socket=" + munged));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
