package studio.app.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code gstudio} launcher as a user runs it: under LANG=C (a bare container, a cron job) a plan in a folder with
 * non-ASCII letters still opens, and the user's JVM options win. Runs in this module because the engine's jar is built
 * by then.
 */
class LauncherLocaleTest {
    @Test
    void unicodePathsOpenUnderTheCLocale(@TempDir Path dir) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path jar = root.resolve("engine/target/engine-0.1.0-SNAPSHOT-cli.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the engine jar is built by `mvn verify` before this module's tests");
        Path folder = Files.createDirectories(dir.resolve("plans-café-計画"));
        Path config = folder.resolve("galvatron_config_llama-7b_2nodes_8gpus_per_node_40GB_bf16_3D_example.json");
        Files.copy(root.resolve("sample-configs/llama_hf/configs").resolve(config.getFileName()), config);
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("gstudio").toString(), "evaluate", "--galvatron_config_path", config.toString())
                .redirectErrorStream(true);
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertTrue(p.exitValue() == 0 || p.exitValue() == 2, "exit " + p.exitValue() + ":\n" + out);
        assertTrue(out.contains("Plan " + config) && out.contains("Memory per GPU"), out);
    }

    /** The launcher's JIT settings (C1 alone, one compiler thread) give way to the user's: C2 needs two threads. */
    @Test
    void theUsersJitOptionsReplaceTheLaunchersOwn() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(root.resolve("engine/target/engine-0.1.0-SNAPSHOT-cli.jar")),
                "the engine jar is built by `mvn verify` before this module's tests");
        for (String opts : new String[] {"", "-XX:TieredStopAtLevel=4", "-XX:CICompilerCount=2", "-XX:-TieredCompilation"}) {
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("gstudio").toString(), "--version").redirectErrorStream(true);
            pb.environment().put("GSTUDIO_JAVA_OPTS", opts);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
            assertTrue(p.exitValue() == 0 && out.startsWith("gstudio "), "GSTUDIO_JAVA_OPTS='" + opts + "': exit " + p.exitValue() + ":\n" + out);
        }
    }
}
