package studio.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import studio.engine.io.InputFileException;

import java.io.PrintWriter;

/** The {@code gstudio} command line. */
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
     * The command line; with {@code only} naming a subcommand, just that one is built. The root and {@code search} are
     * built with picocli's programmatic API ({@link CommandOptions}), the rarely run commands from their annotations,
     * whose reading is most of the cost of building a command line in a cold JVM.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String only) {
        CommandSpec root = CommandOptions.command(new StudioCli(out), "gstudio", new Version(),
                "Galvatron Studio engine: evaluate and search distributed-training plans with Galvatron's cost model.").standardHelpOptions();
        CommandLine cl = new CommandLine(root);
        if (only == null) cl.addSubcommand("help", new CommandLine.HelpCommand());
        if (only == null || only.equals("evaluate")) cl.addSubcommand("evaluate", EvaluateCommand.commandLine(out, err));
        if (only == null || only.equals("search")) cl.addSubcommand("search", new CommandLine(new SearchCommand(out, err).spec()));
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
        cl.setExecutionExceptionHandler((ex, line, parsed) -> failed(ex, line.getErr(), line.getCommandSpec().qualifiedName()));
        return cl;
    }

    /** What a command's failure says (one line naming the file, the key and what was expected) and its exit code. */
    static int failed(Exception ex, PrintWriter err, String command) throws Exception {
        for (Throwable c = ex; c != null; c = c.getCause()) if (c instanceof OutOfMemoryError) return outOfMemory(err);
        if (ex instanceof UsageException) {
            err.println("error: " + ex.getMessage());
            err.println("Try '" + command + " --help' for the options.");
            err.flush();
            return USAGE_ERROR;
        }
        if (ex instanceof java.nio.file.InvalidPathException) {
            err.println("error: " + ex.getMessage() + " (file names are read in the locale's encoding; run with a UTF-8 "
                    + "locale, e.g. LC_ALL=C.UTF-8)");
            err.flush();
            return 1;
        }
        if (ex instanceof InputFileException || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
            err.println("error: " + ex.getMessage());
            err.flush();
            return 1;
        }
        throw ex;
    }

    private static final java.util.Set<String> SUBCOMMANDS = java.util.Set.of("evaluate", "search", "models", "profiles");

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            if (isPlainYamlSearch(args)) return searchYaml(args, out, err);
            String only = args.length > 0 && SUBCOMMANDS.contains(args[0]) ? args[0] : null;
            return commandLine(out, err, only).execute(args);
        } catch (OutOfMemoryError e) {
            return outOfMemory(err);
        }
    }

    /**
     * {@code search <yaml> [overrides]}: a Galvatron 3.0 search as Galvatron runs it, nothing but a YAML and Hydra overrides
     * (which picocli never parses: {@code HydraConfig} does). It needs none of the command tree, whose construction by
     * reflection is a third of such a run; any option goes through the full command line.
     */
    static boolean isPlainYamlSearch(String[] args) {
        if (args.length < 2 || !args[0].equals("search") || !studio.engine.inputs.v3.Galvatron3Inputs.isYaml(args[1])) return false;
        for (int i = 1; i < args.length; i++) if (args[i].startsWith("-")) return false;
        return true;
    }

    private static int searchYaml(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return new Search3Run(out, err, false).run(java.nio.file.Path.of(args[1]), java.util.List.of(args).subList(2, args.length), null, null,
                    false, false);
        } catch (Exception e) {
            try {
                return failed(e, err, "gstudio search");
            } catch (Exception unexpected) {
                throw new IllegalStateException(unexpected);
            }
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
        preloadReaders();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /**
     * Readies, on the second core, what every search reads its inputs with while the main thread builds the command
     * line: Jackson's tree reader (its streaming parser and node classes' first use), and the least-squares fits
     * (Commons Math's vectors and matrices make their number formats from the JDK's locale data when first used: 12 ms
     * of a run that fits profiles). A daemon: a run that needs neither does not wait for it.
     */
    private static void preloadReaders() {
        Thread t = new Thread(() -> {
            try {
                studio.engine.io.JsonFiles.parse("{\"layertype_0\": {\"1\": [1.5, 2], \"x\": true, \"y\": null}}");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            double[] x = {1, 2, 3, 4};
            double[] y = {1, 4, 9, 16};
            studio.engine.profile.LeastSquares.polyfit(x, y, 2);
            studio.engine.profile.LeastSquares.polyfit(java.util.Arrays.copyOf(x, 3), java.util.Arrays.copyOf(y, 3), 2);
        }, "gstudio-preload");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> { });
        t.start();
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
