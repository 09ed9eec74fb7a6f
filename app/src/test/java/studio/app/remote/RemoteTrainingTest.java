package studio.app.remote;

import studio.engine.launch.ShellWords;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio's remote path for real: a real SSH server on loopback runs the real runner jar, which trains the DJL
 * smoke model in a detached run.
 */
public class RemoteTrainingTest {
    public static Path runnerJar() {
        Path jar = Path.of("..", "remote-runner", "target", "remote-runner-0.1.0-SNAPSHOT-standalone.jar").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the runner jar is built by `mvn verify` (package phase) before these tests: " + jar);
        return jar;
    }

    @Test
    void uploadEnvTrainDropReattachAndStop(@TempDir Path dir) throws Exception {
        Path jar = runnerJar();
        try (LoopbackSshServer server = new LoopbackSshServer(dir)) {
            Path known = dir.resolve("known_hosts");
            RunnerClient client = new RunnerClient(jar, dir.resolve("node").toString());
            List<String> asked = new ArrayList<>();
            try (SshConnection c = SshConnection.open(server.host(), known, (h, t, fp) -> asked.add(fp))) {
                Closeable cable = c; // pulled mid-stream below, as a network drop would
                assertEquals(1, asked.size(), "an unknown key is shown to the user");
                assertTrue(client.ensureRunner(c), "first time: uploaded");
                assertFalse(client.ensureRunner(c), "same checksum: skipped");
                List<JsonNode> env = client.env(c);
                assertTrue(env.stream().anyMatch(e -> e.path("event").asText().equals("gpus")), env.toString());

                String run = client.launch(c, TrainRequest.djlSmoke(30, 4, 16), 0, 1, "127.0.0.1", null);
                // follow, and drop the connection after a few events
                List<JsonNode> seen = Collections.synchronizedList(new ArrayList<>());
                AtomicLong lastSeq = new AtomicLong();
                IOException dropped = assertThrows(IOException.class, () -> client.follow(c, run, 0, e -> {
                    seen.add(e);
                    lastSeq.set(e.path("seq").asLong());
                    if (e.path("event").asText().equals("iteration") && e.path("iteration").asInt() == 3) {
                        try {
                            cable.close();
                        } catch (IOException ex) {
                            throw new IllegalStateException(ex);
                        }
                    }
                }));
                assertTrue(dropped.getMessage() != null);
                assertTrue(lastSeq.get() > 0);
                // re-attach on a new connection from the last event seen: the rest, to the end
                try (SshConnection again = SshConnection.open(server.host(), known, HostKeyPolicy.REJECT)) {
                    List<JsonNode> rest = new ArrayList<>();
                    client.follow(again, run, lastSeq.get(), rest::add);
                    List<Integer> its = new ArrayList<>();
                    seen.stream().filter(e -> e.path("event").asText().equals("iteration")).forEach(e -> its.add(e.path("iteration").asInt()));
                    rest.stream().filter(e -> e.path("event").asText().equals("iteration")).forEach(e -> its.add(e.path("iteration").asInt()));
                    assertEquals(30, its.size(), "every iteration exactly once across the drop: " + its);
                    assertEquals(30, its.get(29));
                    JsonNode end = rest.get(rest.size() - 1);
                    assertEquals("finished", end.path("event").asText(), end.toString());
                    assertEquals(0, end.path("exit_code").asInt());
                    assertEquals("finished", client.status(again, run).path("state").asText());

                    // a long run, stopped
                    String longRun = client.launch(again, TrainRequest.djlSmoke(100000, 2, 8), 0, 1, "127.0.0.1", null);
                    for (int i = 0; i < 100 && !client.status(again, longRun).path("state").asText().equals("running"); i++) Thread.sleep(100);
                    client.stop(again, longRun);
                    assertEquals("stopped", client.status(again, longRun).path("state").asText());
                    assertEquals(2, client.list(again).size());
                }
            }
        }
    }

    @Test
    void unknownAndChangedHostKeysAreRefused(@TempDir Path dir) throws Exception {
        try (LoopbackSshServer server = new LoopbackSshServer(dir)) {
            Path known = dir.resolve("known_hosts");
            SshConnection.HostKeyException unknown = assertThrows(SshConnection.HostKeyException.class,
                    () -> SshConnection.open(server.host(), known, HostKeyPolicy.REJECT));
            assertTrue(unknown.getMessage().contains("unknown host key") && unknown.getMessage().contains("SHA256:"), unknown.getMessage());
            // accepted once, remembered, then trusted without asking
            SshConnection.open(server.host(), known, (h, t, f) -> true).close();
            assertTrue(Files.readString(known).contains("[127.0.0.1]:" + server.server.getPort()));
            SshConnection.open(server.host(), known, HostKeyPolicy.REJECT).close();
            // a different key for the same host: refused
            try (LoopbackSshServer other = new LoopbackSshServer(dir.resolve("other"))) {
                Files.writeString(known, Files.readString(known).replace(String.valueOf(server.server.getPort()),
                        String.valueOf(other.server.getPort())));
                SshConnection.HostKeyException changed = assertThrows(SshConnection.HostKeyException.class,
                        () -> SshConnection.open(other.host(), known, (h, t, f) -> true));
                assertTrue(changed.getMessage().contains("CHANGED"), changed.getMessage());
            }
        }
    }

    @Test
    void everyArgumentIsQuoted() {
        assertEquals("'a b' 'it'\\''s' plain --x=1 '$(rm -rf /)'", ShellWords.command(List.of("a b", "it's", "plain", "--x=1", "$(rm -rf /)")));
    }
}
