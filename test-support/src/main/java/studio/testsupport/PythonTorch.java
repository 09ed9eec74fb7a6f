package studio.testsupport;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds a Python with torch and torch.distributed for the tests that run real torch processes (.ci/run installs Debian's python3-torch). */
public final class PythonTorch {
    private static volatile String found;
    private static volatile boolean probed;

    private PythonTorch() {
    }

    /** The interpreter's path, or null when none has torch (the tests that need it are then skipped). */
    public static String find() {
        if (!probed) {
            synchronized (PythonTorch.class) {
                if (!probed) {
                    found = probe();
                    probed = true;
                }
            }
        }
        return found;
    }

    private static String probe() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch, torch.distributed").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return python;
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed under this name: try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
