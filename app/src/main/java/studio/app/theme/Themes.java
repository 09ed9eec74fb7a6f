package studio.app.theme;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Light and dark themes (AtlantaFX Primer), following the desktop's preference unless the user picks one. */
public final class Themes {
    public enum Choice { SYSTEM, LIGHT, DARK }

    private Themes() {
    }

    /** Whether the dark theme is on: charts, canvases and the studio's own style classes follow it. */
    private static final javafx.beans.property.ReadOnlyBooleanWrapper DARK = new javafx.beans.property.ReadOnlyBooleanWrapper();

    public static javafx.beans.property.ReadOnlyBooleanProperty darkProperty() {
        return DARK.getReadOnlyProperty();
    }

    public static boolean isDark() {
        return DARK.get();
    }

    public static void apply(Choice c) {
        boolean dark = c == Choice.DARK || (c == Choice.SYSTEM && systemPrefersDark());
        Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
        DARK.set(dark);
    }

    /** GNOME's color-scheme setting, else a dark GTK theme name; light when neither says dark. */
    public static boolean systemPrefersDark() {
        String gtk = System.getenv("GTK_THEME");
        if (gtk != null && gtk.toLowerCase(Locale.ROOT).contains("dark")) return true;
        try {
            Process p = new ProcessBuilder("gsettings", "get", "org.gnome.desktop.interface", "color-scheme").redirectErrorStream(true).start();
            if (!p.waitFor(500, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = r.readLine();
                return line != null && line.contains("dark");
            }
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
