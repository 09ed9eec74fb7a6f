package studio.engine.launch;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting: every argument a launch puts on a shell line goes through here, whichever cluster runs it. */
public final class ShellWords {
    private ShellWords() {
    }

    /** {@code s} as one shell word: bare when it is plainly safe, else single-quoted. */
    public static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=,+@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The arguments as one shell command line, each quoted. */
    public static String command(List<String> args) {
        return args.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
    }
}
