package studio.app.remote;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One SSH connection to a node (SSHJ): host keys checked against known_hosts (unknown: ask the policy; changed:
 * refuse), key authentication, SFTP upload, and commands whose output streams line by line.
 */
public final class SshConnection implements Closeable {
    private final SSHClient ssh = new SSHClient();
    private final ClusterHost host;

    private SshConnection(ClusterHost host) {
        this.host = host;
    }

    /** The refusal of a host key, with what the user needs to decide. */
    public static final class HostKeyException extends IOException {
        private static final long serialVersionUID = 1L;

        HostKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static SshConnection open(ClusterHost host, Path knownHosts, HostKeyPolicy policy) throws IOException {
        SshConnection c = new SshConnection(host);
        Files.createDirectories(knownHosts.toAbsolutePath().getParent());
        if (!Files.exists(knownHosts)) Files.createFile(knownHosts);
        final String[] refusal = new String[1];
        c.ssh.addHostKeyVerifier(new OpenSSHKnownHosts(knownHosts.toFile()) {
            @Override
            protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
                String fp = fingerprint(key);
                if (!policy.acceptUnknown(hostname, KeyType.fromKey(key).toString(), fp)) {
                    refusal[0] = "unknown host key for " + hostname + " (" + KeyType.fromKey(key) + " " + fp + "); not accepted";
                    return false;
                }
                try {
                    String entryHost = host.port() == 22 ? host.host() : "[" + host.host() + "]:" + host.port();
                    entries().add(new HostEntry(null, entryHost, KeyType.fromKey(key), key));
                    write();
                } catch (IOException e) {
                    refusal[0] = "cannot remember the host key in " + knownHosts + ": " + e.getMessage();
                    return false;
                }
                return true;
            }

            @Override
            protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
                refusal[0] = "the host key of " + hostname + " CHANGED (now " + KeyType.fromKey(key) + " " + fingerprint(key)
                        + "): refusing to connect; if the node was reinstalled, remove its line from " + knownHosts;
                return false;
            }
        });
        c.ssh.setConnectTimeout(15_000);
        try {
            c.ssh.connect(host.host(), host.port());
        } catch (IOException e) {
            c.close();
            if (refusal[0] != null) throw new HostKeyException(refusal[0], e);
            throw new IOException("cannot reach " + host + ": " + e.getMessage(), e);
        }
        try {
            c.ssh.authPublickey(host.user(), c.ssh.loadKeys(host.keyFile().toString()));
        } catch (IOException e) {
            c.close();
            throw new IOException("key authentication as " + host.user() + " with " + host.keyFile() + " failed: " + e.getMessage(), e);
        }
        c.ssh.getConnection().getKeepAlive().setKeepAliveInterval(15);
        return c;
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

    public void upload(Path local, String remote) throws IOException {
        try (SFTPClient sftp = ssh.newSFTPClient()) {
            String dir = remote.contains("/") ? remote.substring(0, remote.lastIndexOf('/')) : ".";
            if (!dir.isEmpty()) sftp.mkdirs(dir);
            String tmp = remote + ".part";
            sftp.put(new net.schmizz.sshj.xfer.FileSystemFile(new File(local.toString())), tmp);
            sftp.rename(tmp, remote, java.util.EnumSet.of(net.schmizz.sshj.sftp.RenameFlags.OVERWRITE));
        }
    }

    /** Fetches a node's file into {@code local}, through a temporary file moved into place. */
    public void download(String remote, Path local) throws IOException {
        Path dir = local.toAbsolutePath().getParent();
        java.nio.file.Files.createDirectories(dir);
        Path tmp = java.nio.file.Files.createTempFile(dir, local.getFileName().toString(), ".part");
        try (SFTPClient sftp = ssh.newSFTPClient()) {
            sftp.get(remote, new net.schmizz.sshj.xfer.FileSystemFile(tmp.toFile()));
            java.nio.file.Files.move(tmp, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    /**
     * Runs a command, handing stdout lines to {@code out} as they come and draining stderr to {@code err}.
     *
     * @return the exit status
     */
    public int exec(String command, Consumer<String> out, Consumer<String> err, long timeoutSeconds) throws IOException {
        try (Session s = ssh.startSession()) {
            Session.Command cmd = s.exec(command);
            Thread drain = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(cmd.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) err.accept(line);
                } catch (IOException e) {
                    // the channel closed: nothing more to drain
                }
            }, "ssh-stderr");
            drain.setDaemon(true);
            drain.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(cmd.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) out.accept(line);
            }
            cmd.join(timeoutSeconds, TimeUnit.SECONDS);
            try {
                drain.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Integer status = cmd.getExitStatus();
            if (status == null) throw new IOException("the connection to " + host + " dropped before `" + abbreviate(command) + "` ended");
            return status;
        }
    }

    /** A command's whole stdout; fails with its stderr when it exits non-zero. */
    public String run(String command, long timeoutSeconds) throws IOException {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int code = exec(command, l -> out.append(l).append('\n'), l -> err.append(l).append('\n'), timeoutSeconds);
        if (code != 0) throw new IOException(host + ": `" + abbreviate(command) + "` exited " + code + ": " + err.toString().strip());
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    @Override
    public void close() throws IOException {
        ssh.close();
    }
}
