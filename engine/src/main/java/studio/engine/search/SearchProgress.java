package studio.engine.search;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Sub-searches done and the best throughput so far, for the listener, from any thread. */
final class SearchProgress {
    private final SearchListener listener;
    private final int total;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong bestBits = new AtomicLong(Double.doubleToLongBits(0));

    SearchProgress(SearchListener listener, int total) {
        this.listener = listener;
        this.total = total;
    }

    void found(double throughput) {
        bestBits.accumulateAndGet(Double.doubleToLongBits(throughput),
                (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);
    }

    void step() {
        listener.progress(done.incrementAndGet(), total, Double.longBitsToDouble(bestBits.get()));
    }
}
