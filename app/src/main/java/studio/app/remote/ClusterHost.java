package studio.app.remote;

import java.nio.file.Path;

/** A GPU node the studio reaches over SSH (keys only: no password is ever stored). */
public record ClusterHost(String host, int port, String user, Path keyFile) {
    public ClusterHost {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("a host needs a name or address");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is not a TCP port");
        if (user == null || user.isBlank()) throw new IllegalArgumentException("a host needs a user name");
    }

    @Override
    public String toString() {
        return user + "@" + host + (port == 22 ? "" : ":" + port);
    }
}
