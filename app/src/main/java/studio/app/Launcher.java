package studio.app;

import javafx.application.Application;

/** Entry point; a separate class so the JavaFX runtime starts from the classpath. */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(StudioApp.class, args);
    }
}
