package studio.runner.profile;

import java.util.List;

/**
 * The profilers' Python processes die with the runner: a cancelled profile (the studio sends TERM) must not leave
 * them measuring, and holding the GPUs, in the background.
 */
final class ChildProcesses {
    private ChildProcesses() {
    }

    static Thread stopOnExit(List<Process> processes) {
        Thread hook = new Thread(() -> {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "stop-profilers");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void done(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the runner is already shutting down: the hook runs, harmlessly
        }
    }
}
