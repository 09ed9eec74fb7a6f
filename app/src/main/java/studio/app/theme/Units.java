package studio.app.theme;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

import java.util.Locale;

/** How the studio shows memory: MB (Galvatron's unit) or GiB, as the user chooses. One setting for every view. */
public final class Units {
    private static final BooleanProperty GIB = new SimpleBooleanProperty(false);

    private Units() {
    }

    public static BooleanProperty gibProperty() {
        return GIB;
    }

    /** {@code mb} in the chosen unit, with the unit. */
    public static String memory(double mb) {
        return GIB.get() ? String.format(Locale.ROOT, "%,.2f GiB", mb / 1024) : String.format(Locale.ROOT, "%,.0f MB", mb);
    }
}
