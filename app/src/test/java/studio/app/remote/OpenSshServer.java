package studio.app.remote;

import studio.testsupport.FreePort;
import studio.app.cluster.ClusterHost;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server (Debian's openssh-server, which .ci/run installs) on a free loopback port, with its own host
 * key, authorized_keys and config, started and stopped by the test.
 */
public final class OpenSshServer implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    final Path dir;
    public final int port;
    final Path hostKey;
    final Path log;
    private Process process;

    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
                "openssh-server is installed by .ci/run");
    }

    /** A key pair made by ssh-keygen; {@code passphrase} empty for none. Returns the private key's path. */
    public static Path keygen(Path file, String type, String passphrase) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".pub"));
        run(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "studio-test", "-f", file.toString()));
        return file;
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(cmd + " failed: " + out);
        return out;
    }

    /**
     * @param hostKeyType ed25519, ecdsa or rsa
     * @param clientKeys  public keys (.pub files) allowed to log in
     * @param extra       more sshd_config lines
     */
    public OpenSshServer(Path dir, String hostKeyType, List<Path> clientKeys, String extra) throws IOException, InterruptedException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.port = FreePort.next();
        this.hostKey = keygen(dir.resolve("ssh_host_" + hostKeyType + "_key"), hostKeyType, "");
        this.log = dir.resolve("sshd.log");
        StringBuilder keys = new StringBuilder();
        for (Path k : clientKeys) keys.append(Files.readString(k)).append('\n');
        Files.writeString(dir.resolve("authorized_keys"), keys.toString());
        // privilege separation needs its folder when sshd runs as root
        if (System.getProperty("user.name").equals("root")) Files.createDirectories(Path.of("/run/sshd"));
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey, "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "StrictModes no", "UsePAM no", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp", "AllowTcpForwarding yes", "LogLevel DEBUG1", extra, ""));
        start();
    }

    private void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IOException("sshd did not start: " + Files.readString(log));
                Thread.sleep(50);
            }
        }
        throw new IOException("sshd did not listen on " + port + ": " + Files.readString(log));
    }

    /** The host's line for known_hosts (its public host key). */
    public String knownHostsLine() throws IOException {
        String[] pub = Files.readString(Path.of(hostKey + ".pub")).strip().split(" ");
        return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1];
    }

    String publicKeyText() throws IOException {
        return Files.readString(Path.of(hostKey + ".pub")).strip().split(" ")[1];
    }

    public ClusterHost host(Path key) {
        return new ClusterHost("127.0.0.1", port, System.getProperty("user.name"), key);
    }

    /** Every process of this server: the listener and the per-connection children. */
    List<Long> processes() {
        List<Long> out = new ArrayList<>();
        out.add(process.pid());
        process.toHandle().descendants().forEach(h -> out.add(h.pid()));
        return out;
    }

    /** Ends every open session (as a login node dropping its connections does); the server goes on listening. */
    public void dropConnections() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** Freezes (or thaws) the server and its sessions, as a hung node or a dead link looks from the client. */
    void signalAll(String signal) throws IOException, InterruptedException {
        for (long pid : processes()) new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
    }

    @Override
    public void close() throws IOException {
        if (process == null) return;
        try {
            signalAll("CONT");
            for (long pid : processes()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
