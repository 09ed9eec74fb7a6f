package studio.runner;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemoteRunnerTest {
    @Test
    void answersVersion() {
        StringWriter out = new StringWriter();
        int code = RemoteRunner.run(new String[] {"--version"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertEquals(0, code);
        assertTrue(out.toString().startsWith("remote-runner 0.1.0-SNAPSHOT"), out.toString());
    }
}
