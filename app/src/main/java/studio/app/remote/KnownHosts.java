package studio.app.remote;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Host keys checked as OpenSSH checks them: the user's known_hosts and the system's {@code /etc/ssh/ssh_known_hosts};
 * a host known with any key but this one (of the same type or another) is a changed key and refused, a key marked
 * {@code @revoked} is refused, an unknown host goes to the policy and, when accepted, is appended as one line under a
 * file lock (never a rewrite, so lines OpenSSH adds meanwhile survive).
 */
public final class KnownHosts {
    public static final Path SYSTEM_FILE = Path.of("/etc/ssh/ssh_known_hosts");
    private final Path userFile;
    private final List<Path> systemFiles;
    private final HostKeyPolicy policy;

    public KnownHosts(Path userFile, List<Path> systemFiles, HostKeyPolicy policy) {
        this.userFile = userFile;
        this.systemFiles = List.copyOf(systemFiles);
        this.policy = policy;
    }

    public Path userFile() { return userFile; }

    public HostKeyPolicy policy() { return policy; }

    /** How known_hosts names a host: {@code host}, or {@code [host]:port} off port 22. */
    static String entryHost(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /** One parsed known_hosts line with its marker ({@code @revoked}, {@code @cert-authority} or none). */
    private record Line(String marker, String text, OpenSSHKnownHosts.KnownHostEntry entry) {
        /** The key the line names, as known_hosts writes it (Base64 of the SSH wire form). */
        String keyText() {
            String[] f = text.split("\\s+");
            int at = marker.isEmpty() ? 2 : 3;
            return f.length > at ? f[at] : "";
        }
    }

    private List<Line> entries() {
        List<Line> out = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        files.add(userFile);
        files.addAll(systemFiles);
        for (Path f : files) {
            if (!Files.isRegularFile(f)) continue;
            try {
                for (String raw : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String line = raw.strip();
                    if (line.isEmpty() || line.startsWith("#")) continue;
                    String marker = line.startsWith("@") ? line.substring(0, line.indexOf(' ') < 0 ? line.length() : line.indexOf(' ')) : "";
                    for (OpenSSHKnownHosts.KnownHostEntry e : new OpenSSHKnownHosts(new StringReader(line)).entries()) {
                        out.add(new Line(marker, line, e));
                    }
                }
            } catch (IOException e) {
                // an unreadable system file is as if absent; the user's file is checked on append
            }
        }
        return out;
    }

    /** Null when {@code key} may be trusted for the host (known, or unknown and accepted); else why it is refused. */
    public String refusal(String hostname, int port, PublicKey key) {
        String host = entryHost(hostname, port);
        KeyType type = KeyType.fromKey(key);
        String fingerprint = SshConnection.fingerprint(key);
        boolean known = false;
        boolean matched = false;
        List<String> knownTypes = new ArrayList<>();
        try {
            for (Line l : entries()) {
                OpenSSHKnownHosts.KnownHostEntry e = l.entry();
                if (!e.appliesTo(host)) continue;
                if (l.marker().equals("@revoked")) {
                    if (l.keyText().equals(keyText(key))) {
                        return "the host key of " + host + " (" + type + " " + fingerprint + ") is REVOKED in known_hosts; refusing to connect";
                    }
                    continue;
                }
                if (!l.marker().isEmpty()) continue;
                known = true;
                knownTypes.add(String.valueOf(e.getType()));
                if (e.getType() == type && e.verify(key)) matched = true;
            }
        } catch (IOException e) {
            return "cannot check the host key of " + host + ": " + e.getMessage();
        }
        if (matched) return null;
        if (known) {
            return "the host key of " + host + " CHANGED: known_hosts has " + String.join(", ", knownTypes) + ", the host now offers "
                    + type + " " + fingerprint + "; refusing to connect (if the node was reinstalled, remove its line with "
                    + "ssh-keygen -R '" + host + "' -f " + userFile + ")";
        }
        if (!policy.acceptUnknown(host, type.toString(), fingerprint)) {
            return "unknown host key for " + host + " (" + type + " " + fingerprint + "); not accepted";
        }
        try {
            append(host + " " + type + " " + keyText(key));
        } catch (IOException e) {
            return "cannot remember the host key in " + userFile + ": " + e.getMessage();
        }
        return null;
    }

    static String keyText(PublicKey key) {
        return Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    /** Appends one line to the user's file under an exclusive lock, as OpenSSH does, and forces it to disk. */
    void append(String line) throws IOException {
        Path dir = userFile.toAbsolutePath().getParent();
        SshConnection.privateFolder(dir);
        // the file lock keeps other processes out; within this JVM, threads queue here (a JVM holds one lock per file)
        synchronized (KnownHosts.class) {
            appendLocked(line);
        }
    }

    private void appendLocked(String line) throws IOException {
        try (FileChannel ch = FileChannel.open(userFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            FileLock lock = ch.lock();
            try {
                long size = ch.size();
                String prefix = "";
                if (size > 0) {
                    ByteBuffer last = ByteBuffer.allocate(1);
                    ch.read(last, size - 1);
                    if (last.get(0) != '\n') prefix = "\n";
                }
                ch.position(size);
                ByteBuffer buf = ByteBuffer.wrap((prefix + line + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            } finally {
                lock.release();
            }
        }
        try {
            if (Files.getPosixFilePermissions(userFile).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                Files.setPosixFilePermissions(userFile, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    public List<String> findExistingAlgorithms(String hostname, int port) {
        // offer the algorithms known_hosts already has first, so a host with several keys presents the known one
        List<String> out = new ArrayList<>();
        String host = entryHost(hostname, port);
        try {
            for (Line l : entries()) {
                OpenSSHKnownHosts.KnownHostEntry e = l.entry();
                if (!l.marker().isEmpty()) continue;
                if (e.appliesTo(host) && e.getType() != null && e.getType() != KeyType.UNKNOWN) out.add(e.getType().toString());
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }
}
