package studio.app.remote;

/** What to ask the user while connecting: an unknown host key (a changed key is always refused) and key passphrases. */
@FunctionalInterface
public interface HostKeyPolicy {
    /**
     * @param fingerprint the key's SHA-256 fingerprint, to show the user
     * @return true to trust and remember it
     */
    boolean acceptUnknown(String hostAndPort, String keyType, String fingerprint);

    /**
     * The passphrase of an encrypted private key, asked each time it is needed and never stored; null when the user
     * declines (the key is then skipped).
     */
    default char[] passphrase(String keyFile) {
        return null;
    }

    HostKeyPolicy REJECT = (h, t, f) -> false;
}
