package studio.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/** The headless jar the studio copies to GPU nodes. */
@Command(name = "remote-runner", mixinStandardHelpOptions = true, versionProvider = RemoteRunner.Version.class,
        description = "Galvatron Studio's agent on GPU nodes: profiles hardware and models and runs training, streaming JSON events.")
public final class RemoteRunner implements Runnable {
    private final PrintWriter out;

    RemoteRunner(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void run() {
        out.println("{\"event\":\"ready\",\"version\":\"" + version() + "\"}");
        out.flush();
    }

    public static String version() {
        try (InputStream in = RemoteRunner.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new RemoteRunner(out));
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"remote-runner " + version()};
        }
    }
}
