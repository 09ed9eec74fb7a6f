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
    /** Exit code of a command line that cannot be run as typed (sysexits' EX_USAGE). */
    public static final int USAGE_ERROR = 64;
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
        return commandLine(out, err, null);
    }

    /**
     * The command line; with {@code only} naming a subcommand, just that one is built. Picocli builds every option of
     * every subcommand by reflection, which is most of a short run's start-up (its classes are Java 5 bytecode, which
     * class-data sharing cannot archive).
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String only) {
        CommandLine cl = new CommandLine(new StudioCli(out));
        if (only == null || only.equals("evaluate")) cl.addSubcommand("evaluate", new EvaluateCommand(out, err));
        if (only == null || only.equals("search")) cl.addSubcommand("search", new SearchCommand(out, err));
        if (only == null || only.equals("models")) cl.addSubcommand("models", new ModelsCommand(out));
        if (only == null || only.equals("profiles")) cl.addSubcommand("profiles", new ProfilesCommand());
        cl.setOut(out);
        cl.setErr(err);
        // a usage error is one line and the way to help, with its own exit code (2 means "the plan does not fit")
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage().lines().findFirst().orElse(ex.getMessage()));
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            c.getErr().flush();
            return USAGE_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            for (Throwable c = ex; c != null; c = c.getCause()) if (c instanceof OutOfMemoryError) return outOfMemory(line.getErr());
            if (ex instanceof UsageException) {
                line.getErr().println("error: " + ex.getMessage());
                line.getErr().println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for the options.");
                line.getErr().flush();
                return USAGE_ERROR;
            }
            if (ex instanceof java.nio.file.InvalidPathException) {
                line.getErr().println("error: " + ex.getMessage() + " (file names are read in the locale's encoding; run with a UTF-8 "
                        + "locale, e.g. LC_ALL=C.UTF-8)");
                line.getErr().flush();
                return 1;
            }
            if (ex instanceof InputFileException || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                line.getErr().println("error: " + ex.getMessage());
                line.getErr().flush();
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    private static final java.util.Set<String> SUBCOMMANDS = java.util.Set.of("evaluate", "search", "models", "profiles");

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            String only = args.length > 0 && SUBCOMMANDS.contains(args[0]) ? args[0] : null;
            return commandLine(out, err, only).execute(args);
        } catch (OutOfMemoryError e) {
            return outOfMemory(err);
        }
    }

    /** What a search too large for the heap says, instead of a JVM crash. */
    static int outOfMemory(PrintWriter err) {
        long maxMb = Runtime.getRuntime().maxMemory() >> 20;
        err.println("error: the search ran out of memory (the Java heap is " + maxMb + " MB): narrow it with --settle_bsz, "
                + "--max_bsz or --settle_chunk, or give Java more with GSTUDIO_JAVA_OPTS=-Xmx<size>");
        err.flush();
        return 1;
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
