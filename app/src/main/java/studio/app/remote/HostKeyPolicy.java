package studio.app.remote;

/** What to do with a host key known_hosts does not have (a changed key is always refused). */
@FunctionalInterface
public interface HostKeyPolicy {
    /**
     * @param fingerprint the key's SHA-256 fingerprint, to show the user
     * @return true to trust and remember it
     */
    boolean acceptUnknown(String hostAndPort, String keyType, String fingerprint);

    HostKeyPolicy REJECT = (h, t, f) -> false;
}
