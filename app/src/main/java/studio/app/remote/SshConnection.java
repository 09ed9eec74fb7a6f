package studio.app.remote;

import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.keepalive.KeepAliveRunner;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One SSH connection to a node (SSHJ), as OpenSSH would make it: the host resolved through the client config (alias,
 * HostName, User, Port, IdentityFile, ProxyJump through bastions), host keys checked by {@link KnownHosts}, keys from
 * files (passphrases asked, never stored) and the agent; commands end within their time limit and a silent peer is
 * declared dead by the keep-alive.
 */
public final class SshConnection implements Closeable {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ssh-command-timeouts");
        t.setDaemon(true);
        return t;
    });
    private final SSHClient ssh;
    private final List<SSHClient> jumps;
    private final ClusterHost host;

    private SshConnection(ClusterHost host, SSHClient ssh, List<SSHClient> jumps) {
        this.host = host;
        this.ssh = ssh;
        this.jumps = jumps;
    }

    /** The refusal of a host key, with what the user needs to decide. */
    public static final class HostKeyException extends IOException {
        private static final long serialVersionUID = 1L;

        HostKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static SshConnection open(ClusterHost host, Path knownHosts, HostKeyPolicy policy) throws IOException {
        return open(host, SshSettings.of(knownHosts, policy));
    }

    public static SshConnection open(ClusterHost host, SshSettings settings) throws IOException {
        SshTarget target = SshTarget.resolve(host, settings.clientConfig());
        List<SSHClient> jumps = new ArrayList<>();
        try {
            SSHClient via = null;
            for (SshTarget jump : target.jumps()) {
                via = connect(jump, settings, via, "bastion ");
                jumps.add(via);
            }
            SSHClient ssh = connect(target, settings, via, "");
            return new SshConnection(host, ssh, jumps);
        } catch (IOException | RuntimeException e) {
            for (int i = jumps.size() - 1; i >= 0; i--) quietlyClose(jumps.get(i));
            throw e;
        }
    }

    private static SSHClient connect(SshTarget t, SshSettings s, SSHClient via, String role) throws IOException {
        DefaultConfig config = new DefaultConfig();
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        SSHClient c = new SSHClient(config);
        String[] refusal = new String[1];
        c.addHostKeyVerifier(new HostKeyVerifier() {
            @Override
            public boolean verify(String hostname, int port, PublicKey key) {
                refusal[0] = s.knownHosts().refusal(hostname, port, key);
                return refusal[0] == null;
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int port) {
                return s.knownHosts().findExistingAlgorithms(hostname, port);
            }
        });
        c.setConnectTimeout(s.connectTimeoutMs());
        // a server that accepts the connection and then says nothing must not hold us: the handshake has a deadline
        c.setTimeout(s.connectTimeoutMs());
        c.getTransport().setTimeoutMs(s.connectTimeoutMs());
        // SSHJ starts the keep-alive thread while connecting, when its interval is set: so set it first
        KeepAliveRunner alive = (KeepAliveRunner) c.getConnection().getKeepAlive();
        alive.setKeepAliveInterval(s.keepAliveSeconds());
        alive.setMaxAliveCount(s.keepAliveMax());
        try {
            if (via == null) c.connect(t.hostName(), t.port());
            else c.connectVia(via.newDirectConnection(t.hostName(), t.port()));
        } catch (IOException e) {
            quietlyClose(c);
            if (refusal[0] != null) throw new HostKeyException(refusal[0], e);
            throw new IOException("cannot reach " + role + t + (via == null ? "" : " through the bastion") + ": " + reason(e), e);
        }
        try {
            authenticate(c, t, s);
        } catch (IOException | RuntimeException e) {
            quietlyClose(c);
            throw e;
        }
        // from here the keep-alive watches the peer; a read timeout would cut quiet but healthy streams
        if (c.getSocket() != null) c.getSocket().setSoTimeout(0);
        return c;
    }

    private static void authenticate(SSHClient c, SshTarget t, SshSettings s) throws IOException {
        List<AuthMethod> methods = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> tried = new ArrayList<>();
        for (Path key : t.identities()) {
            if (!Files.isRegularFile(key)) {
                if (t.explicitIdentities().contains(key)) problems.add(key + ": no such key file");
                continue;
            }
            Passphrase finder = new Passphrase(key, s.policy());
            try {
                KeyProvider kp = c.loadKeys(key.toString(), finder);
                // decrypt now, so a declined or wrong passphrase is named instead of a bare "authentication failed"
                kp.getPrivate();
                methods.add(new AuthPublickey(kp));
                tried.add(key.toString());
            } catch (IOException | RuntimeException e) {
                problems.add(key + ": " + (finder.declined ? "passphrase not given"
                        : finder.asked > 0 ? "wrong passphrase (asked " + finder.asked + " times)" : "cannot be read (" + reason(e) + ")"));
            }
        }
        if (s.agent() != null) {
            try {
                List<SshAgent.Identity> ids = s.agent().identities();
                for (SshAgent.Identity id : ids) methods.add(s.agent().authMethod(id));
                if (!ids.isEmpty()) tried.add(ids.size() + " key(s) of the ssh-agent");
            } catch (IOException e) {
                problems.add("ssh-agent at " + s.agent().socket() + ": " + e.getMessage());
            }
        }
        String who = t.user() + "@" + t;
        if (methods.isEmpty()) {
            throw new IOException("no key to log in as " + who + (problems.isEmpty() ? ": set a key file, an IdentityFile in ~/.ssh/config or start ssh-agent"
                    : ": " + String.join("; ", problems)));
        }
        try {
            c.auth(t.user(), methods);
        } catch (IOException e) {
            throw new IOException("key authentication as " + who + " failed (tried " + String.join(", ", tried) + ")"
                    + (problems.isEmpty() ? "" : "; " + String.join("; ", problems)) + ": " + reason(e), e);
        }
    }

    /** Asks the user for a key's passphrase at most three times; what was typed is wiped once SSHJ has used it. */
    private static final class Passphrase implements PasswordFinder {
        private final Path key;
        private final HostKeyPolicy policy;
        private int asked;
        private boolean declined;
        private char[] last;

        Passphrase(Path key, HostKeyPolicy policy) {
            this.key = key;
            this.policy = policy;
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            if (last != null) Arrays.fill(last, '\0');
            asked++;
            last = policy.passphrase(key.toString());
            if (last == null) declined = true;
            return last;
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return !declined && asked < 3;
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e || e.getMessage() == null || e.getMessage().contains(m) ? (e.getMessage() == null ? m : e.getMessage())
                : e.getMessage() + " (" + m + ")";
    }

    private static void quietlyClose(SSHClient c) {
        try {
            c.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Creates a folder that only its owner can read (as OpenSSH wants ~/.ssh), or leaves an existing one as it is. */
    static void privateFolder(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) return;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** OpenSSH's SHA-256 fingerprint ({@code SHA256:...}), what {@code ssh-keygen -lf} shows. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] blob = new net.schmizz.sshj.common.Buffer.PlainBuffer().putPublicKey(key).getCompactData();
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + java.util.Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            return SecurityUtils.getFingerprint(key);
        }
    }

    public ClusterHost host() { return host; }

    public boolean connected() { return ssh.isConnected() && ssh.isAuthenticated(); }

    /** Uploads through a temporary name of its own (parallel uploads of one file do not collide), renamed into place. */
    public void upload(Path local, String remote) throws IOException {
        if (!ssh.isConnected()) throw new IOException("the connection to " + host + " has dropped" + deadPeer());
        try (SFTPClient sftp = ssh.newSFTPClient()) {
            String dir = remote.contains("/") ? remote.substring(0, remote.lastIndexOf('/')) : ".";
            if (!dir.isEmpty()) mkdirs(sftp, dir);
            String tmp = remote + ".part-" + UUID.randomUUID();
            try {
                sftp.put(new net.schmizz.sshj.xfer.FileSystemFile(new File(local.toString())), tmp);
                sftp.rename(tmp, remote, java.util.EnumSet.of(net.schmizz.sshj.sftp.RenameFlags.OVERWRITE));
            } catch (IOException e) {
                try {
                    sftp.rm(tmp);
                } catch (IOException gone) {
                    // nothing was left behind
                }
                throw new IOException(host + ": upload of " + local.getFileName() + " to " + remote + " failed: " + reason(e), e);
            }
        }
    }

    /**
     * Creates {@code dir} and its parents; another upload creating the same folder at the same moment is not an error
     * (SSHJ's own mkdirs fails when it loses that race).
     */
    private static void mkdirs(SFTPClient sftp, String dir) throws IOException {
        StringBuilder path = new StringBuilder(dir.startsWith("/") ? "/" : "");
        for (String part : dir.split("/")) {
            if (part.isEmpty()) continue;
            if (path.length() > 0 && path.charAt(path.length() - 1) != '/') path.append('/');
            path.append(part);
            String p = path.toString();
            if (sftp.statExistence(p) != null) continue;
            try {
                sftp.mkdir(p);
            } catch (IOException e) {
                if (sftp.statExistence(p) == null) throw e;
            }
        }
    }

    /** Fetches a node's file into {@code local}, through a temporary file moved into place. */
    public void download(String remote, Path local) throws IOException {
        Path dir = local.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (!ssh.isConnected()) throw new IOException("the connection to " + host + " has dropped" + deadPeer());
        Path tmp = Files.createTempFile(dir, local.getFileName().toString(), ".part");
        try (SFTPClient sftp = ssh.newSFTPClient()) {
            sftp.get(remote, new net.schmizz.sshj.xfer.FileSystemFile(tmp.toFile()));
            Files.move(tmp, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A command that did not end within its time limit (it was closed on our side). */
    public static final class CommandTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        CommandTimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Runs a command, handing stdout lines to {@code out} as they come and draining stderr to {@code err}; after
     * {@code timeoutSeconds} the command's channel is closed and a {@link CommandTimeoutException} thrown.
     *
     * @return the exit status
     */
    public int exec(String command, Consumer<String> out, Consumer<String> err, long timeoutSeconds) throws IOException {
        Session s;
        Session.Command cmd;
        // SSHJ answers a dropped connection with an IllegalStateException: to callers it is the I/O failure it is
        if (!ssh.isConnected()) throw new IOException("the connection to " + host + " has dropped" + deadPeer());
        try {
            s = ssh.startSession();
            cmd = s.exec(command);
        } catch (net.schmizz.sshj.connection.ConnectionException | net.schmizz.sshj.transport.TransportException e) {
            throw new IOException("the connection to " + host + " failed: " + reason(e) + deadPeer(), e);
        } catch (IllegalStateException e) {
            throw new IOException("the connection to " + host + " has dropped (" + e.getMessage() + ")", e);
        }
        // lines are read on threads of their own, so the deadline holds even when the peer sends nothing at all
        AtomicBoolean abandoned = new AtomicBoolean();
        IOException[] readFailure = new IOException[1];
        Thread reader = lines(cmd.getInputStream(), out, abandoned, e -> readFailure[0] = e, "ssh-stdout");
        Thread drain = lines(cmd.getErrorStream(), err, abandoned, e -> { }, "ssh-stderr"); // a closed channel: nothing more to drain
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            reader.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
            if (reader.isAlive()) {
                abandoned.set(true);
                WATCHDOG.execute(() -> {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // closing is all we can do
                    }
                });
                throw new CommandTimeoutException(host + ": `" + abbreviate(command) + "` did not finish within " + timeoutSeconds + " s");
            }
            if (readFailure[0] != null) {
                throw new IOException("the connection to " + host + " dropped during `" + abbreviate(command) + "`: " + reason(readFailure[0])
                        + deadPeer(), readFailure[0]);
            }
            long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
            try {
                cmd.join(left, TimeUnit.SECONDS);
            } catch (IOException e) {
                // the status is checked below
            }
            drain.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned.set(true);
            throw new java.io.InterruptedIOException("interrupted while `" + abbreviate(command) + "` ran on " + host);
        } finally {
            if (!abandoned.get()) {
                try {
                    s.close();
                } catch (IOException e) {
                    // already closed by the peer
                }
            }
        }
        Integer status = cmd.getExitStatus();
        if (status == null) {
            throw new IOException("the connection to " + host + " dropped before `" + abbreviate(command) + "` ended"
                    + deadPeer());
        }
        return status;
    }

    /** A command's whole stdout; fails with its stderr when it exits non-zero. */
    public String run(String command, long timeoutSeconds) throws IOException {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int code = exec(command, l -> out.append(l).append('\n'), l -> err.append(l).append('\n'), timeoutSeconds);
        if (code != 0) throw new IOException(host + ": `" + abbreviate(command) + "` exited " + code + ": " + err.toString().strip());
        return out.toString();
    }

    /** A daemon thread handing a stream's lines to {@code to} until it ends (or, once abandoned, dropping them). */
    private static Thread lines(java.io.InputStream in, Consumer<String> to, AtomicBoolean abandoned, Consumer<IOException> failed, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) if (!abandoned.get()) to.accept(line);
            } catch (IOException e) {
                failed.accept(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What a dropped connection means when the keep-alive gave up on the peer. */
    private String deadPeer() {
        return ssh.isConnected() ? "" : " (no answer to keep-alive probes: the node or the network is down)";
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    @Override
    public void close() throws IOException {
        quietlyClose(ssh);
        for (int i = jumps.size() - 1; i >= 0; i--) quietlyClose(jumps.get(i));
    }
}
