package studio.engine.io;

import java.nio.file.Path;

/**
 * A user-supplied file could not be used. The message is one line that names the file, the key and what was
 * expected, so the CLI and the studio can show it as is, without a stack trace.
 */
public final class InputFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String key;

    public InputFileException(Path file, String key, String expected) {
        super(format(file, key, expected));
        this.file = file;
        this.key = key;
    }

    public InputFileException(Path file, String key, String expected, Throwable cause) {
        super(format(file, key, expected), cause);
        this.file = file;
        this.key = key;
    }

    private static String format(Path file, String key, String expected) {
        String where = file == null ? "<input>" : file.toString();
        return key == null || key.isEmpty()
                ? where + ": " + expected
                : where + ": key '" + key + "': " + expected;
    }

    public Path file() { return file; }

    public String key() { return key; }
}
