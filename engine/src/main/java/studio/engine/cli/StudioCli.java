package studio.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import studio.engine.io.InputFileException;

import java.io.PrintWriter;

/** The {@code gstudio} command line. */
@Command(name = "gstudio", mixinStandardHelpOptions = true, versionProvider = StudioCli.Version.class,
        description = "Galvatron Studio engine: evaluate and search distributed-training plans with Galvatron's cost model.",
        subcommands = {CommandLine.HelpCommand.class})
public final class StudioCli implements Runnable {
    private final PrintWriter out;

    StudioCli(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void run() {
        out.println("Usage: gstudio <command> [options]; gstudio --help lists the commands.");
        out.flush();
    }

    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new StudioCli(out));
        cl.addSubcommand("evaluate", new EvaluateCommand(out, err));
        cl.addSubcommand("search", new SearchCommand(out, err));
        cl.addSubcommand("models", new ModelsCommand(out));
        cl.addSubcommand("profiles", new ProfilesCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof InputFileException || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                line.getErr().println("error: " + ex.getMessage());
                line.getErr().flush();
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /** Version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = StudioCli.class.getPackage().getImplementationVersion();
            return new String[] {"gstudio " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
