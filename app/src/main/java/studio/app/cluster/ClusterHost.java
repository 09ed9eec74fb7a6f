package studio.app.cluster;

import java.nio.file.Path;

/**
 * A GPU node the studio reaches over SSH (keys only: no password is ever stored). {@code host} may be an alias of
 * {@code ~/.ssh/config}; a null {@code keyFile} means the config's IdentityFile, the agent and the default keys.
 */
public record ClusterHost(String host, int port, String user, Path keyFile) {
    public ClusterHost {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("a host needs a name or address");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is not a TCP port");
        if (user == null) user = "";
        if (!user.isEmpty() && !user.matches("[^\\s-][^\\s]*")) throw new IllegalArgumentException("user '" + user + "' is not a user name");
    }

    /** The key file as text, empty when none is set. */
    public String keyText() {
        return keyFile == null ? "" : keyFile.toString();
    }

    @Override
    public String toString() {
        return (user.isEmpty() ? "" : user + "@") + host + (port == 22 ? "" : ":" + port);
    }
}
