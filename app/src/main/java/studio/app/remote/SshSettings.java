package studio.app.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How the studio reaches nodes: which known_hosts files to trust, the OpenSSH client config to read (Host aliases,
 * HostName, User, Port, IdentityFile, ProxyJump), the agent, and the time limits: the TCP connect and SSH handshake,
 * and the keep-alive that declares a silent peer dead after {@code keepAliveMax} unanswered probes.
 */
public record SshSettings(KnownHosts knownHosts, Path clientConfig, SshAgent agent, int connectTimeoutMs, int keepAliveSeconds,
                          int keepAliveMax) {
    public SshSettings {
        if (connectTimeoutMs < 1 || keepAliveSeconds < 1 || keepAliveMax < 1) throw new IllegalArgumentException("SSH timeouts must be positive");
    }

    /**
     * The settings OpenSSH would use with {@code knownHosts} as the user's file: the system file, the {@code config}
     * beside it, the agent of {@code SSH_AUTH_SOCK}, 15 s to connect, a probe every 15 s and 3 unanswered probes.
     */
    public static SshSettings of(Path knownHosts, HostKeyPolicy policy) {
        Path config = knownHosts.toAbsolutePath().getParent().resolve("config");
        return new SshSettings(new KnownHosts(knownHosts, List.of(KnownHosts.SYSTEM_FILE), policy),
                Files.isRegularFile(config) ? config : null, SshAgent.fromEnvironment(), 15_000, 15, 3);
    }

    public SshSettings withClientConfig(Path config) {
        return new SshSettings(knownHosts, config, agent, connectTimeoutMs, keepAliveSeconds, keepAliveMax);
    }

    public SshSettings withAgent(SshAgent a) {
        return new SshSettings(knownHosts, clientConfig, a, connectTimeoutMs, keepAliveSeconds, keepAliveMax);
    }

    public SshSettings withTimeouts(int connectMs, int aliveSeconds, int aliveMax) {
        return new SshSettings(knownHosts, clientConfig, agent, connectMs, aliveSeconds, aliveMax);
    }

    public HostKeyPolicy policy() {
        return knownHosts.policy();
    }
}
