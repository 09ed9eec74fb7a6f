package studio.app.remote;

import studio.engine.inputs.InputLocator;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the runner jar is, where it goes on the nodes, which known_hosts to trust and how to ask about unknown keys.
 */
public record RemoteSetup(Path runnerJar, String remoteBase, Path knownHosts, HostKeyPolicy policy) {
    /** The runner jar: {@code -Dstudio.runnerJar}, beside the installed app, or the build's. */
    public static Path locateRunnerJar() {
        String p = System.getProperty("studio.runnerJar");
        if (p != null) return Path.of(p);
        Path home = InputLocator.defaultSampleRoot().getParent();
        for (Path c : new Path[] {home.resolve("runner/remote-runner.jar"),
                home.resolve("remote-runner/target/remote-runner-0.1.0-SNAPSHOT-standalone.jar")}) {
            if (Files.isRegularFile(c)) return c;
        }
        return home.resolve("remote-runner/target/remote-runner-0.1.0-SNAPSHOT-standalone.jar");
    }

    public static RemoteSetup defaults() {
        return new RemoteSetup(locateRunnerJar(), "~/.galvatron-studio", Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"),
                RemoteView.askUser());
    }
}
