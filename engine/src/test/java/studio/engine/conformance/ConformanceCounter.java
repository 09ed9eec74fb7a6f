package studio.engine.conformance;

import java.util.Map;
import java.util.TreeMap;

/** Counts conformance values asserted, printed once at JVM exit for the closing notes. */
final class ConformanceCounter {
    private static final Map<String, Integer> COUNTS = new TreeMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (COUNTS) {
                int total = COUNTS.values().stream().mapToInt(Integer::intValue).sum();
                System.out.println("[conformance] values checked and matched: " + total + " " + COUNTS);
            }
        }));
    }

    private ConformanceCounter() {
    }

    static void add(String group, int n) {
        synchronized (COUNTS) {
            COUNTS.merge(group, n, Integer::sum);
        }
    }
}
