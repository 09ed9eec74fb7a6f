package studio.engine.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * The runner's event stream, one JSON object a line with its kind under {@code "event"}: every kind the runner writes
 * and the studio reads, named once for both.
 */
public enum RunnerEvent {
    /** The runner answered (no command). */
    READY,
    // node environment
    HOST, GPUS, CUDA, PYTHON, TORCH, TORCHRUN, GALVATRON, DISK,
    // a run's life
    REFUSED, DRY_RUN, LAUNCHED, STARTED, ITERATION, AVERAGE_ITERATION_TIME, MEMORY, CHECKPOINT_SAVED, CHECKPOINT_LOADED,
    RUNNING, STARTING, FINISHED, FAILED, STOPPED, CORRUPT, STATUS, RUN,
    // profiling
    PHASE, PROFILE_STARTED, PROFILE_RESUMED, PROFILE_PROGRESS, PROFILE_FINISHED,
    /** A pipelined CPU run's measured stage and iteration times beside the simulator's prediction. */
    PIPELINE_BENCH,
    // anything
    WARNING, ERROR,
    /** A line that is not one of the runner's events (a tool's own output). */
    OUTPUT;

    /** The JSON field holding the kind. */
    public static final String FIELD = "event";

    /** How the stream spells it: {@code profile_finished}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind of a spelled name; {@link #OUTPUT} for one the studio does not know (a newer runner's). */
    public static RunnerEvent parse(String wireName) {
        if (wireName == null) return OUTPUT;
        try {
            return valueOf(wireName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return OUTPUT;
        }
    }

    /** The kind of one event line. */
    public static RunnerEvent of(JsonNode event) {
        return parse(event.path(FIELD).asText(null));
    }

    /** A run's last event: it ended. */
    public boolean isEnd() {
        return this == FINISHED || this == FAILED || this == STOPPED;
    }
}
