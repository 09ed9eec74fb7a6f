package studio.app.slurm;

import org.junit.jupiter.api.Assumptions;
import studio.testsupport.FreePort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real one-node Slurm cluster on loopback (Debian's slurm-wlm and munge, which .ci/run installs): slurmctld and slurmd
 * on free ports, every file in a temporary folder, started and stopped by the test. One partition, {@code debug}, with
 * a 10-minute limit that sbatch enforces at submission. With accounting, as real sites run it: slurmdbd over a
 * MariaDB of its own (Debian's slurmdbd and mariadb-server), associations enforced, one account {@code research} the
 * user belongs to and one, {@code elsewhere}, the user has no association with.
 * Munge listens where Slurm's clients look for it (its default socket): a munged already there is used, else one is
 * started there with a key of the test's (Slurm's connections to slurmdbd ignore AuthInfo's socket).
 */
public final class SlurmCluster implements AutoCloseable {
    private static final Path MUNGE_SOCKET = Path.of("/run/munge/munge.socket.2");
    /** The account jobs may charge when accounting is on. */
    public static final String ACCOUNT = "research";
    /** An account that exists but that the user is not in. */
    public static final String FOREIGN_ACCOUNT = "elsewhere";

    public final Path dir;
    public final Path conf;
    private final List<Process> daemons = new ArrayList<>();
    private boolean ownMunge;
    private Path mariadbPid;

    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/slurmctld")) && Files.isExecutable(Path.of("/usr/sbin/slurmd"))
                && Files.isExecutable(Path.of("/usr/sbin/munged")), "slurm-wlm and munge are installed by .ci/run");
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "slurmd runs jobs as their user: the test runs as root");
    }

    public static void assumeAccountingInstalled() {
        assumeInstalled();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/slurmdbd")) && Files.isExecutable(Path.of("/usr/sbin/mariadbd"))
                && Files.isExecutable(Path.of("/usr/bin/mariadb-install-db")), "slurmdbd and mariadb-server are installed by .ci/run");
    }

    public SlurmCluster(Path dir) throws IOException, InterruptedException {
        this(dir, false);
    }

    /** @param accounting slurmdbd and its database too: sacct knows ended jobs, and accounts are enforced */
    public SlurmCluster(Path dir, boolean accounting) throws IOException, InterruptedException {
        this.dir = dir;
        for (String d : List.of("state", "spool", "log", "run")) Files.createDirectories(dir.resolve(d));
        this.conf = dir.resolve("slurm.conf");
        startMunge();
        String host = run(List.of("hostname", "-s")).strip();
        int cpus = Runtime.getRuntime().availableProcessors();
        List<String> lines = new ArrayList<>(List.of(
                "ClusterName=studio-test",
                "SlurmctldHost=" + host + "(127.0.0.1)",
                "SlurmctldPort=" + FreePort.next(),
                "SlurmdPort=" + FreePort.next(),
                "SlurmUser=root", "SlurmdUser=root",
                "AuthType=auth/munge", "CredType=cred/munge",
                "StateSaveLocation=" + dir.resolve("state"), "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("run/slurmctld.pid"), "SlurmdPidFile=" + dir.resolve("run/slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"), "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
                "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "MpiDefault=none",
                "SelectType=select/cons_tres", "SelectTypeParameters=CR_Core",
                "SchedulerType=sched/backfill", "JobAcctGatherType=jobacct_gather/none",
                "EnforcePartLimits=ALL", "ReturnToService=2", "MinJobAge=600", "KillWait=5",
                "SlurmctldTimeout=30", "SlurmdTimeout=30", "InactiveLimit=0"));
        if (accounting) {
            int dbdPort = FreePort.next();
            startDatabase(dbdPort);
            lines.addAll(List.of("AccountingStorageType=accounting_storage/slurmdbd", "AccountingStorageHost=127.0.0.1",
                    "AccountingStoragePort=" + dbdPort, "AccountingStorageEnforce=associations,limits"));
        } else {
            lines.add("AccountingStorageType=accounting_storage/none");
        }
        lines.add("NodeName=" + host + " NodeAddr=127.0.0.1 CPUs=" + cpus + " State=UNKNOWN");
        lines.add("PartitionName=debug Nodes=ALL Default=YES MaxTime=10 State=UP");
        lines.add("");
        Files.writeString(conf, String.join("\n", lines));
        if (accounting) {
            daemons.add(daemon(List.of("/usr/sbin/slurmdbd", "-D"), "slurmdbd"));
            waitFor(() -> {
                String answer = run(List.of("sacctmgr", "-n", "list", "cluster"));
                return !answer.contains("error");
            }, "slurmdbd did not answer: " + dir.resolve("log/slurmdbd.log"));
            for (List<String> c : List.of(List.of("sacctmgr", "-i", "add", "cluster", "studio-test"), List.of("sacctmgr", "-i", "add", "account", ACCOUNT),
                    List.of("sacctmgr", "-i", "add", "account", FOREIGN_ACCOUNT), List.of("sacctmgr", "-i", "add", "user", "root", "account=" + ACCOUNT))) {
                run(c);
            }
        }
        daemons.add(daemon(List.of("/usr/sbin/slurmctld", "-D", "-f", conf.toString()), "slurmctld"));
        daemons.add(daemon(List.of("/usr/sbin/slurmd", "-D", "-f", conf.toString()), "slurmd"));
        // the node registers with the controller: wait until the partition has an idle node
        waitFor(() -> run(List.of("sinfo", "-h", "-o", "%t")).strip().startsWith("idle"),
                "Slurm did not come up: " + dir.resolve("log/slurmctld.log"));
    }

    private void startMunge() throws IOException, InterruptedException {
        if (Files.exists(MUNGE_SOCKET) && run(List.of("bash", "-c", "munge -n | unmunge >/dev/null && echo ok")).contains("ok")) return;
        Files.createDirectories(MUNGE_SOCKET.getParent());
        byte[] key = new byte[1024];
        new SecureRandom().nextBytes(key);
        Path keyFile = dir.resolve("munge.key");
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        run(List.of("/usr/sbin/munged", "--force", "--socket=" + MUNGE_SOCKET, "--key-file=" + keyFile, "--log-file=" + dir.resolve("log/munged.log"),
                "--pid-file=" + dir.resolve("run/munged.pid"), "--seed-file=" + dir.resolve("run/munged.seed")));
        ownMunge = true;
    }

    /** MariaDB in the test's folder, and slurmdbd's config beside slurm.conf (where slurmdbd looks for it). */
    private void startDatabase(int dbdPort) throws IOException, InterruptedException {
        Path data = dir.resolve("db");
        String out = run(List.of("/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
                "--skip-test-db"));
        if (!Files.isDirectory(data.resolve("mysql"))) throw new IOException("mariadb-install-db failed: " + out);
        int port = FreePort.next();
        Path socket = dir.resolve("run/mysql.sock");
        mariadbPid = dir.resolve("run/mariadb.pid");
        daemons.add(daemon(List.of("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data, "--socket=" + socket, "--port=" + port,
                "--bind-address=127.0.0.1", "--user=root", "--pid-file=" + mariadbPid, "--log-error=" + dir.resolve("log/mariadb.err"),
                "--innodb-buffer-pool-size=64M"), "mariadbd"));
        waitFor(() -> Files.exists(socket), "MariaDB did not start: " + dir.resolve("log/mariadb.err"));
        String sql = "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'studio-test'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';";
        String created = run(List.of("mariadb", "--no-defaults", "-S", socket.toString(), "-u", "root", "-e", sql));
        if (!created.isBlank()) throw new IOException("MariaDB did not take slurmdbd's user: " + created);
        Path dbd = dir.resolve("slurmdbd.conf");
        Files.writeString(dbd, String.join("\n", "AuthType=auth/munge", "DbdHost=localhost", "DbdAddr=127.0.0.1", "DbdPort=" + dbdPort,
                "SlurmUser=root", "StorageType=accounting_storage/mysql", "StorageHost=127.0.0.1", "StoragePort=" + port,
                "StorageLoc=slurm_acct_db", "StorageUser=slurm", "StoragePass=studio-test", "PidFile=" + dir.resolve("run/slurmdbd.pid"),
                "LogFile=" + dir.resolve("log/slurmdbd.log"), ""));
        // slurmdbd refuses a config others can read (it holds the database password)
        Files.setPosixFilePermissions(dbd, PosixFilePermissions.fromString("rw-------"));
    }

    @FunctionalInterface
    private interface Check {
        boolean ok() throws IOException, InterruptedException;
    }

    private static void waitFor(Check check, String failure) throws IOException, InterruptedException {
        for (int i = 0; i < 150; i++) {
            if (check.ok()) return;
            Thread.sleep(200);
        }
        throw new IOException(failure);
    }

    /** What the login node needs before its Slurm commands: this cluster's config. */
    public String loginSetup() {
        return "export SLURM_CONF=" + conf;
    }

    private Process daemon(List<String> cmd, String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SLURM_CONF", conf.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/" + name + ".stdout").toFile()));
        return pb.start();
    }

    /** A command here, with this cluster's config. */
    public String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SLURM_CONF", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            // nothing is left running: jobs first, then the daemons, the newest first
            if (Files.exists(conf)) run(List.of("scancel", "--full", "--user=root"));
            for (int i = daemons.size() - 1; i >= 0; i--) {
                Process p = daemons.get(i);
                p.destroy();
                if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
            }
            if (ownMunge) run(List.of("/usr/sbin/munged", "--stop", "--socket=" + MUNGE_SOCKET));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
