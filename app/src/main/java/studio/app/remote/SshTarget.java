package studio.app.remote;

import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a connection really goes once the OpenSSH client config has been applied (parsed by Apache MINA SSHD's
 * {@link HostConfigEntry}, OpenSSH's rules: the first value of each keyword wins, patterns and negations): the host
 * name, port, user, identity files and the bastions of ProxyJump, in order. What the user set on the host (a port
 * other than 22, a key file) wins over the config, as on ssh's command line.
 */
public record SshTarget(String alias, String hostName, int port, String user, List<Path> identities, List<Path> explicitIdentities,
                        List<SshTarget> jumps) {
    private static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    @Override
    public String toString() {
        return hostName + (port == 22 ? "" : ":" + port) + (alias.equals(hostName) ? "" : " (" + alias + ")");
    }

    public static SshTarget resolve(ClusterHost host, Path clientConfig) throws IOException {
        HostConfigEntryResolver resolver = resolver(clientConfig);
        return resolve(host.host(), host.port() == 22 ? -1 : host.port(), host.user(), host.keyFile(), resolver, clientConfig, 0);
    }

    private static HostConfigEntryResolver resolver(Path clientConfig) throws IOException {
        if (clientConfig == null || !Files.isRegularFile(clientConfig)) return HostConfigEntryResolver.EMPTY;
        try {
            return HostConfigEntry.toHostConfigEntryResolver(HostConfigEntry.readHostConfigEntries(clientConfig));
        } catch (IOException | RuntimeException e) {
            throw new IOException(clientConfig + ": not a readable OpenSSH client config (" + e.getMessage() + ")", e);
        }
    }

    private static SshTarget resolve(String alias, int port, String user, Path keyFile, HostConfigEntryResolver resolver, Path config,
                                     int depth) throws IOException {
        if (depth > 8) throw new IOException(config + ": ProxyJump chain for " + alias + " is longer than 8 hosts (a loop?)");
        HostConfigEntry e;
        try {
            e = resolver.resolveEffectiveHost(alias, port, null, user, null, null);
        } catch (IOException | RuntimeException ex) {
            throw new IOException((config == null ? "ssh config" : config.toString()) + ": host " + alias + ": " + ex.getMessage(), ex);
        }
        String hostName = e == null || e.getHostName() == null || e.getHostName().isBlank() ? alias : e.getHostName();
        int effectivePort = port > 0 ? port : e != null && e.getPort() > 0 ? e.getPort() : 22;
        String effectiveUser = user != null && !user.isBlank() ? user
                : e != null && e.getUsername() != null && !e.getUsername().isBlank() ? e.getUsername() : System.getProperty("user.name");
        Set<Path> keys = new LinkedHashSet<>();
        List<Path> explicit = new ArrayList<>();
        if (keyFile != null) {
            keys.add(keyFile);
            explicit.add(keyFile);
        }
        if (e != null && e.getIdentities() != null) {
            for (String id : e.getIdentities()) {
                Path p = Path.of(id.startsWith("~/") ? System.getProperty("user.home") + id.substring(1) : id);
                keys.add(p);
                explicit.add(p);
            }
        }
        if (keys.isEmpty()) {
            for (String k : DEFAULT_KEYS) keys.add(Path.of(System.getProperty("user.home"), ".ssh", k));
        }
        List<SshTarget> jumps = new ArrayList<>();
        String proxy = e == null ? null : e.getProxyJump();
        if (proxy != null && !proxy.isBlank() && !proxy.equalsIgnoreCase("none")) {
            for (String hop : proxy.split(",")) jumps.add(hop(hop.strip(), resolver, config, depth));
        }
        // the bastions of the bastions come first: the chain is walked from the nearest hop
        List<SshTarget> chain = new ArrayList<>();
        for (SshTarget j : jumps) {
            chain.addAll(j.jumps());
            chain.add(new SshTarget(j.alias(), j.hostName(), j.port(), j.user(), j.identities(), j.explicitIdentities(), List.of()));
        }
        return new SshTarget(alias, hostName, effectivePort, effectiveUser, List.copyOf(keys), List.copyOf(explicit), List.copyOf(chain));
    }

    /** One ProxyJump hop, {@code [user@]host[:port]}, itself resolved through the config. */
    private static SshTarget hop(String spec, HostConfigEntryResolver resolver, Path config, int depth) throws IOException {
        String user = null;
        String rest = spec;
        if (rest.startsWith("ssh://")) rest = rest.substring(6);
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        int port = -1;
        int colon = rest.lastIndexOf(':');
        if (colon > 0 && !rest.startsWith("[")) {
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException ex) {
                throw new IOException(config + ": ProxyJump '" + spec + "': expected [user@]host[:port]");
            }
            rest = rest.substring(0, colon);
        }
        if (rest.isBlank()) throw new IOException(config + ": ProxyJump '" + spec + "': expected [user@]host[:port]");
        return resolve(rest, port, user, null, resolver, config, depth + 1);
    }
}
