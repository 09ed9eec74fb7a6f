package studio.app.remote;

import studio.testsupport.FreePort;
import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import com.fasterxml.jackson.databind.JsonNode;
import javafx.application.Platform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import studio.app.project.PlanEditor;
import studio.app.project.PlanningContext;
import studio.app.project.TestContexts;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SSH path against a real OpenSSH server on loopback: host keys (unknown, changed, another type, revoked, the
 * system file), known_hosts appends, passphrase keys, the agent, ProxyJump through a second sshd, stalled servers,
 * command time limits and a multi-node launch that fails part-way.
 */
class OpenSshTest {
    @BeforeAll
    static void installed() {
        OpenSshServer.assumeInstalled();
    }

    private static SshSettings settings(Path known, HostKeyPolicy policy) {
        return new SshSettings(new KnownHosts(known, List.of(), policy), null, null, 5_000, 15, 3);
    }

    private static Path pub(Path key) {
        return Path.of(key + ".pub");
    }

    @Test
    void unknownChangedTypeSwitchedAndRevokedKeys(@TempDir Path dir) throws Exception {
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"), "ed25519", "");
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"), "ed25519", List.of(pub(key)), "")) {
            Path known = dir.resolve("home/.ssh/known_hosts");
            List<String> asked = new ArrayList<>();
            try (SshConnection c = SshConnection.open(server.host(key), settings(known, (h, t, f) -> asked.add(h + " " + t + " " + f)))) {
                assertEquals("ok\n", c.run("echo ok", 30));
            }
            assertEquals(1, asked.size(), "an unknown host is asked about once");
            assertTrue(asked.get(0).startsWith("[127.0.0.1]:" + server.port + " ssh-ed25519 SHA256:"), asked.get(0));
            assertEquals(List.of(server.knownHostsLine()), Files.readAllLines(known), "one line appended, OpenSSH's format");
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(known.getParent())),
                    "~/.ssh is created private");
            SshConnection.open(server.host(key), settings(known, HostKeyPolicy.REJECT)).close();

            // known with another key of the same type: changed
            Path other = OpenSshServer.keygen(dir.resolve("other_ed25519"), "ed25519", "");
            String otherKey = Files.readString(pub(other)).split(" ")[1];
            Files.writeString(known, "[127.0.0.1]:" + server.port + " ssh-ed25519 " + otherKey + "\n");
            SshConnection.HostKeyException changed = assertThrows(SshConnection.HostKeyException.class,
                    () -> SshConnection.open(server.host(key), settings(known, (h, t, f) -> true)));
            assertTrue(changed.getMessage().contains("CHANGED"), changed.getMessage());

            // known only with a key of another type: also changed, never the "unknown host" question
            Path ecdsa = OpenSshServer.keygen(dir.resolve("other_ecdsa"), "ecdsa", "");
            String[] ec = Files.readString(pub(ecdsa)).split(" ");
            String before = "[127.0.0.1]:" + server.port + " " + ec[0] + " " + ec[1] + "\n";
            Files.writeString(known, before);
            List<String> askedAgain = new ArrayList<>();
            SshConnection.HostKeyException switched = assertThrows(SshConnection.HostKeyException.class,
                    () -> SshConnection.open(server.host(key), settings(known, (h, t, f) -> askedAgain.add(h))));
            assertTrue(switched.getMessage().contains("CHANGED") && switched.getMessage().contains("ecdsa-sha2-nistp256"), switched.getMessage());
            assertTrue(askedAgain.isEmpty(), "a type switch is not an unknown host");
            assertEquals(before, Files.readString(known), "nothing appended");

            // revoked
            Files.writeString(known, server.knownHostsLine() + "\n@revoked [127.0.0.1]:" + server.port + " ssh-ed25519 " + server.publicKeyText() + "\n");
            SshConnection.HostKeyException revoked = assertThrows(SshConnection.HostKeyException.class,
                    () -> SshConnection.open(server.host(key), settings(known, (h, t, f) -> true)));
            assertTrue(revoked.getMessage().contains("REVOKED"), revoked.getMessage());

            // the system-wide file is trusted like the user's
            Files.writeString(known, "");
            Path system = dir.resolve("etc/ssh_known_hosts");
            Files.createDirectories(system.getParent());
            Files.writeString(system, server.knownHostsLine() + "\n");
            SshSettings withSystem = new SshSettings(new KnownHosts(known, List.of(system), HostKeyPolicy.REJECT), null, null, 5_000, 15, 3);
            SshConnection.open(server.host(key), withSystem).close();
        }
    }

    @Test
    void concurrentAcceptsKeepEveryLineAndWhatOthersWrote(@TempDir Path dir) throws Exception {
        Path known = dir.resolve("known_hosts");
        Files.writeString(known, "written-by-openssh ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyFakeKeyFakeKeyFakeKeyFakeKeyFakeKey00");
        KnownHosts k = new KnownHosts(known, List.of(), HostKeyPolicy.REJECT);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pool.submit(() -> {
                go.await();
                for (int i = 0; i < 25; i++) k.append("host-" + thread + "-" + i + " ssh-ed25519 AAAA");
                return null;
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        List<String> lines = Files.readAllLines(known);
        assertEquals(101, lines.size(), "every accepted line, and the one that was there");
        assertTrue(lines.get(0).startsWith("written-by-openssh "), lines.get(0));
    }

    /** A policy that trusts only known hosts and answers every passphrase prompt with {@code passphrase}, noting the key asked for. */
    private static HostKeyPolicy answering(String passphrase, List<String> asked) {
        return new HostKeyPolicy() {
            @Override
            public boolean acceptUnknown(String h, String t, String f) {
                return false;
            }

            @Override
            public char[] passphrase(String keyFile) {
                asked.add(keyFile);
                return passphrase.toCharArray();
            }
        };
    }

    @Test
    void passphraseKeysAreAskedForAndNeverStored(@TempDir Path dir) throws Exception {
        Path key = OpenSshServer.keygen(dir.resolve("id_locked"), "ed25519", "correct horse");
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"), "ed25519", List.of(pub(key)), "")) {
            Path known = dir.resolve("known_hosts");
            Files.writeString(known, server.knownHostsLine() + "\n");
            List<String> asked = new ArrayList<>();
            HostKeyPolicy right = answering("correct horse", asked);
            try (SshConnection c = SshConnection.open(server.host(key), settings(known, right))) {
                assertEquals("ok\n", c.run("echo ok", 30));
            }
            assertEquals(List.of(key.toString()), asked);
            HostKeyPolicy wrong = answering("wrong", new ArrayList<>());
            IOException bad = assertThrows(IOException.class, () -> SshConnection.open(server.host(key), settings(known, wrong)));
            assertTrue(bad.getMessage().contains("wrong passphrase") && bad.getMessage().contains(key.toString()), bad.getMessage());
            IOException declined = assertThrows(IOException.class, () -> SshConnection.open(server.host(key), settings(known, HostKeyPolicy.REJECT)));
            assertTrue(declined.getMessage().contains("passphrase not given"), declined.getMessage());
        }
    }

    @Test
    void agentKeysLogInWithoutAKeyFile(@TempDir Path dir) throws Exception {
        Path key = OpenSshServer.keygen(dir.resolve("id_agent"), "ed25519", "");
        Path rsa = OpenSshServer.keygen(dir.resolve("id_agent_rsa"), "rsa", "");
        Path socket = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true).start();
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"), "ed25519", List.of(pub(rsa), pub(key)), "")) {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) Thread.sleep(50);
            for (Path k : List.of(rsa, key)) {
                ProcessBuilder add = new ProcessBuilder("ssh-add", k.toString()).redirectErrorStream(true);
                add.environment().put("SSH_AUTH_SOCK", socket.toString());
                Process p = add.start();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes()));
                Files.delete(k);
            }
            Path known = dir.resolve("known_hosts");
            Files.writeString(known, server.knownHostsLine() + "\n");
            SshAgent a = new SshAgent(socket);
            assertEquals(2, a.identities().size());
            // the RSA key is offered first and signs with rsa-sha2-256; the server takes one of the two
            try (SshConnection c = SshConnection.open(new ClusterHost("127.0.0.1", server.port, System.getProperty("user.name"), null),
                    settings(known, HostKeyPolicy.REJECT).withAgent(a))) {
                assertEquals("ok\n", c.run("echo ok", 30));
            }
            Files.writeString(server.dir.resolve("authorized_keys"), Files.readString(pub(rsa)));
            try (SshConnection c = SshConnection.open(new ClusterHost("127.0.0.1", server.port, System.getProperty("user.name"), null),
                    settings(known, HostKeyPolicy.REJECT).withAgent(a))) {
                assertEquals("rsa\n", c.run("echo rsa", 30));
            }
        } finally {
            agent.destroy();
        }
    }

    @Test
    void proxyJumpThroughABastionFromTheClientConfig(@TempDir Path dir) throws Exception {
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"), "ed25519", "");
        try (OpenSshServer bastion = new OpenSshServer(dir.resolve("bastion"), "ed25519", List.of(pub(key)), "");
             OpenSshServer node = new OpenSshServer(dir.resolve("node"), "ecdsa", List.of(pub(key)), "")) {
            Path config = dir.resolve("ssh_config");
            String user = System.getProperty("user.name");
            Files.writeString(config, String.join("\n",
                    "Host gpu-node-1", "  HostName 127.0.0.1", "  Port " + node.port, "  User " + user, "  IdentityFile " + key,
                    "  ProxyJump jump", "", "Host jump", "  HostName 127.0.0.1", "  Port " + bastion.port, "  User " + user,
                    "  IdentityFile " + key, ""));
            Path known = dir.resolve("known_hosts");
            Files.writeString(known, bastion.knownHostsLine() + "\n" + node.knownHostsLine() + "\n");
            SshSettings s = settings(known, HostKeyPolicy.REJECT).withClientConfig(config);
            try (SshConnection c = SshConnection.open(new ClusterHost("gpu-node-1", 22, "", null), s)) {
                assertEquals("ok\n", c.run("echo ok", 30));
            }
            String log = Files.readString(bastion.log);
            assertTrue(log.contains("direct-tcpip") && log.contains("port " + node.port), "the bastion forwarded the connection:\n" + log);
            // the node's own key is checked, not the bastion's
            Files.writeString(known, bastion.knownHostsLine() + "\n");
            SshConnection.HostKeyException unknownNode = assertThrows(SshConnection.HostKeyException.class,
                    () -> SshConnection.open(new ClusterHost("gpu-node-1", 22, "", null), s));
            assertTrue(unknownNode.getMessage().contains("[127.0.0.1]:" + node.port), unknownNode.getMessage());
        }
    }

    /** A server that accepts TCP connections and never says a word (a hung node, a black-holed port). */
    private static ServerSocket silentServer() throws IOException {
        ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            List<java.net.Socket> held = new ArrayList<>();
            try {
                while (true) held.add(silent.accept());
            } catch (IOException e) {
                // closed by the test
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return silent;
    }

    @Test
    void stalledServersAndSlowCommandsFailWithinTheirLimits(@TempDir Path dir) throws Exception {
        // accepts the TCP connection and never says a word
        try (ServerSocket silent = silentServer()) {
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> SshConnection.open(
                    new ClusterHost("127.0.0.1", silent.getLocalPort(), "nobody", dir.resolve("none")),
                    new SshSettings(new KnownHosts(dir.resolve("kh"), List.of(), HostKeyPolicy.REJECT), null, null, 2_000, 1, 2)));
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(s < 10, "gave up after " + s + " s: " + e.getMessage());
        }
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"), "ed25519", "");
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"), "ed25519", List.of(pub(key)), "")) {
            Path known = dir.resolve("known_hosts");
            Files.writeString(known, server.knownHostsLine() + "\n");
            SshSettings quick = settings(known, HostKeyPolicy.REJECT).withTimeouts(2_000, 1, 2);
            try (SshConnection c = SshConnection.open(server.host(key), quick)) {
                long t0 = System.nanoTime();
                SshConnection.CommandTimeoutException slow = assertThrows(SshConnection.CommandTimeoutException.class, () -> c.run("sleep 12", 2));
                double s = (System.nanoTime() - t0) / 1e9;
                assertTrue(s < 6, "a 2 s limit held for " + s + " s");
                assertTrue(slow.getMessage().contains("did not finish within 2 s"), slow.getMessage());
            }
            try (SshConnection c = SshConnection.open(server.host(key), quick)) {
                assertEquals("ok\n", c.run("echo ok", 30));
                server.signalAll("STOP");
                long t0 = System.nanoTime();
                IOException dead = assertThrows(IOException.class, () -> c.run("echo still-there", 120));
                double s = (System.nanoTime() - t0) / 1e9;
                assertTrue(s < 15, "a frozen peer was noticed after " + s + " s: " + dead.getMessage());
            } finally {
                server.signalAll("CONT");
            }
        }
    }

    @Test
    void aLaunchThatFailsOnALaterNodeStopsTheStartedOnesAndShowsThem(@TempDir Path dir) throws Exception {
        Path jar = RemoteTrainingTest.runnerJar();
        FxToolkit.registerPrimaryStage();
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"), "ed25519", "");
        try (OpenSshServer server = new OpenSshServer(dir.resolve("sshd"), "ed25519", List.of(pub(key)), "")) {
            Path known = dir.resolve("known_hosts");
            Files.writeString(known, server.knownHostsLine() + "\n");
            PlanningContext ctx = TestContexts.sample();
            PlanEditor editor = new PlanEditor();
            runOnFx(() -> editor.open(ctx, TestContexts.loader().searchedPlan(ctx, 64), "sample"));
            RunnerClient client = new RunnerClient(jar, dir.resolve("node").toString());
            RemoteViewModel vm = new RemoteViewModel(editor, TestContexts.loader(), client, settings(known, HostKeyPolicy.REJECT),
                    Executors.newCachedThreadPool());
            int closedPort = FreePort.next();
            runOnFx(() -> vm.hosts().setAll(server.host(key), new ClusterHost("127.0.0.1", closedPort, System.getProperty("user.name"), key)));
            runOnFx(() -> vm.launch(TrainRequest.djlSmoke(100000, 2, 8)));
            for (int i = 0; i < 600 && (busy(vm) || vm.runs().isEmpty()); i++) Thread.sleep(100);
            assertFalse(busy(vm), "the view is not left busy");
            String status = vm.statusProperty().get();
            assertTrue(status.contains("node 1") && status.contains("failed") && status.contains("stopped the 1 node"), status);
            assertEquals(1, vm.runs().size(), "the started node's run is shown");
            RemoteRun run = vm.runs().get(0);
            assertEquals("stopped", run.state());
            try (SshConnection c = SshConnection.open(server.host(key), settings(known, HostKeyPolicy.REJECT))) {
                JsonNode st = client.status(c, run.runId());
                assertEquals("stopped", st.path("state").asText(), st.toString());
                // the runner's own reason reaches the user, and an id that looks like an option stays an id
                IOException none = assertThrows(IOException.class, () -> client.status(c, "no-such-run"));
                assertTrue(none.getMessage().contains("no run 'no-such-run'"), none.getMessage());
                IOException dash = assertThrows(IOException.class, () -> client.stop(c, "-rf"));
                assertTrue(dash.getMessage().contains("run id '-rf'"), dash.getMessage());
                // two uploads of one file at once: each through its own temporary name, both land
                Path big = dir.resolve("payload.bin");
                Files.write(big, new byte[4 << 20]);
                String remote = dir.resolve("node/uploads/payload.bin").toString();
                ExecutorService two = Executors.newFixedThreadPool(2);
                List<java.util.concurrent.Future<?>> uploads = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    uploads.add(two.submit(() -> {
                        try (SshConnection u = SshConnection.open(server.host(key), settings(known, HostKeyPolicy.REJECT))) {
                            u.upload(big, remote);
                        }
                        return null;
                    }));
                }
                for (var u : uploads) u.get(60, TimeUnit.SECONDS);
                two.shutdown();
                assertEquals(4 << 20, Files.size(Path.of(remote)));
                try (var left = Files.list(Path.of(remote).getParent())) {
                    assertEquals(1, left.count(), "no .part file left behind");
                }
            }
        }
    }

    @Test
    void aStalledNodeIsShownAsFailedAndTheViewIsNotLeftBusy(@TempDir Path dir) throws Exception {
        FxToolkit.registerPrimaryStage();
        try (ServerSocket silent = silentServer()) {
            PlanningContext ctx = TestContexts.sample();
            PlanEditor editor = new PlanEditor();
            runOnFx(() -> editor.open(ctx, TestContexts.loader().searchedPlan(ctx, 64), "sample"));
            RemoteViewModel vm = new RemoteViewModel(editor, TestContexts.loader(), new RunnerClient(dir.resolve("none.jar"), dir.toString()),
                    new SshSettings(new KnownHosts(dir.resolve("kh"), List.of(), HostKeyPolicy.REJECT), null, null, 2_000, 1, 2),
                    Executors.newCachedThreadPool());
            runOnFx(() -> vm.hosts().setAll(new ClusterHost("127.0.0.1", silent.getLocalPort(), "nobody", dir.resolve("key"))));
            runOnFx(vm::checkCluster);
            long t0 = System.nanoTime();
            for (int i = 0; i < 300 && (busy(vm) || vm.checks().isEmpty()); i++) Thread.sleep(100);
            assertFalse(busy(vm), "not busy any more");
            assertTrue((System.nanoTime() - t0) / 1e9 < 15);
            String problem = vm.checks().get(0).problem();
            assertTrue(problem.contains("cannot reach") && problem.contains(String.valueOf(silent.getLocalPort())), problem);
        }
    }

    private static boolean busy(RemoteViewModel vm) throws Exception {
        boolean[] b = new boolean[1];
        runOnFx(() -> b[0] = vm.busyProperty().get());
        return b[0];
    }

    private static void runOnFx(Runnable r) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Platform.runLater(() -> {
            try {
                r.run();
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                done.countDown();
            }
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        if (failure[0] != null) throw new AssertionError(failure[0]);
    }

    static List<String> synchronizedList() {
        return Collections.synchronizedList(new ArrayList<>());
    }
}
