package studio.app.cluster;

import java.util.Locale;

/** A Slurm job's state as squeue, sacct and scontrol name it (the base name: "CANCELLED by 0" is CANCELLED). */
public enum JobState {
    PENDING, CONFIGURING, RUNNING, COMPLETING, SUSPENDED, REQUEUED, RESIZING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL,
    OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE, UNKNOWN;

    public static JobState parse(String text) {
        if (text == null || text.isBlank()) return UNKNOWN;
        String base = text.strip().split("[\\s+]")[0].toUpperCase(Locale.ROOT);
        for (JobState s : values()) if (s.name().equals(base)) return s;
        return UNKNOWN;
    }

    /** Whether the job has ended (nothing of it runs any more). */
    public boolean ended() {
        return switch (this) {
            case COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE -> true;
            default -> false;
        };
    }
}
