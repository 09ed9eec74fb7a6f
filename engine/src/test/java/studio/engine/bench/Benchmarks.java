package studio.engine.bench;

/** Runs JMH with its arguments given as one string (what {@code -Dbench.args="..."} passes through Maven). */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String joined = String.join(" ", args).trim();
        org.openjdk.jmh.Main.main(joined.isEmpty() ? new String[] {"studio.engine.bench"} : joined.split("\\s+"));
    }
}
