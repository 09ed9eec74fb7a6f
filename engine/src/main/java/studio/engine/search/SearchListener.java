package studio.engine.search;

/** Progress of a running search; called from worker threads. */
@FunctionalInterface
public interface SearchListener {
    /**
     * @param tasksDone        tasks finished so far
     * @param tasksTotal       tasks in the search
     * @param bestThroughput   best samples/s found so far (0 when nothing fits yet)
     */
    void progress(int tasksDone, int tasksTotal, double bestThroughput);

    SearchListener NONE = (d, t, b) -> { };
}
