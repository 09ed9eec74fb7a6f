package studio.app.remote;

import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting: every argument the studio sends to a node goes through here. */
public final class ShellQuote {
    private ShellQuote() {
    }

    public static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=,+@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static String command(List<String> args) {
        return args.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }
}
