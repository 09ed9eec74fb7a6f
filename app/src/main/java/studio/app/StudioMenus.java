package studio.app;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToggleGroup;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import studio.app.actions.StandardAction;
import studio.app.project.PlanEditor;
import studio.app.project.ProjectStore;
import studio.app.search.SearchViewModel;
import studio.app.theme.Themes;
import studio.app.theme.Units;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The menu bar: every item is a {@link StandardAction} (text and key defined once) wired to the window's commands. */
final class StudioMenus {
    private final MainWindow window;
    private final ProjectDocument document;
    private final PlanEditor editor;
    private final SearchViewModel search;
    private final ProjectStore store;
    private final Path sampleRoot;

    StudioMenus(MainWindow window, ProjectDocument document, PlanEditor editor, SearchViewModel search, ProjectStore store, Path sampleRoot) {
        this.window = window;
        this.document = document;
        this.editor = editor;
        this.search = search;
        this.store = store;
        this.sampleRoot = sampleRoot;
    }

    MenuBar build() {
        return new MenuBar(file(), edit(), searchMenu(), view(), help());
    }

    private Menu file() {
        Menu file = new Menu("File");
        MenuItem newProject = StandardAction.NEW_PROJECT.menuItem(() -> {
            if (document.confirmDiscard("start a new project")) window.openSample();
        });
        MenuItem close = StandardAction.CLOSE_PROJECT.menuItem(() -> {
            if (document.confirmDiscard("close the project")) window.openSample();
        });
        MenuItem open = StandardAction.OPEN_PROJECT.menuItem(() -> {
            if (document.confirmDiscard("open another project")) {
                choose("Galvatron Studio project", "*.gsp.json", "*.json").ifPresent(document::open);
            }
        });
        MenuItem save = StandardAction.SAVE_PROJECT.menuItem(document::save);
        MenuItem saveAs = StandardAction.SAVE_PROJECT_AS.menuItem(document::saveAs);
        MenuItem quit = StandardAction.QUIT.menuItem(() -> {
            if (document.confirmDiscard("quit") && window.window() instanceof Stage stage) {
                window.closed();
                stage.close();
            }
        });
        MenuItem importConfig = StandardAction.IMPORT_CONFIG.menuItem(() -> choose("Galvatron config", "*.json").ifPresent(window::importConfig));
        MenuItem exportConfig = StandardAction.EXPORT_CONFIG.menuItem(window::exportInteractive);
        MenuItem yaml = StandardAction.OPEN_GALVATRON3_YAML.menuItem(() -> {
            if (document.confirmDiscard("open a Galvatron 3.0 YAML")) {
                choose("Galvatron 3.0 search YAML", "*.yaml", "*.yml").ifPresent(window::openYaml);
            }
        });
        Menu recent = new Menu("Recent projects");
        recent.setOnShowing(e -> {
            recent.getItems().clear();
            for (Path p : store.recent()) {
                MenuItem item = new MenuItem(p.toString());
                item.setOnAction(a -> {
                    if (document.confirmDiscard("open another project")) document.open(p);
                });
                recent.getItems().add(item);
            }
        });
        recent.getItems().add(new MenuItem("(none)"));
        MenuItem exportCharts = StandardAction.EXPORT_CHARTS.menuItem(this::exportCharts);
        file.getItems().addAll(newProject, open, recent, close, save, saveAs, importConfig, yaml, exportConfig, exportCharts,
                new SeparatorMenuItem(), quit);
        return file;
    }

    private void exportCharts() {
        var dir = new DirectoryChooser().showDialog(window.window());
        if (dir == null) return;
        TextInputDialog name = new TextInputDialog(document.suggestedName());
        name.setHeaderText("Name the chart files");
        name.setContentText("File names start with:");
        if (window.window() != null) name.initOwner(window.window());
        var prefix = name.showAndWait();
        if (prefix.isEmpty()) return;
        try {
            int written = window.exportCharts(dir.toPath(), prefix.get().strip().replaceAll("[/\\\\]", "_")).size();
            window.work().message("Exported " + written + " chart files to " + dir);
        } catch (IOException | RuntimeException ex) {
            window.work().error("Chart export failed", ex.getMessage());
        }
    }

    private Menu edit() {
        MenuItem undo = StandardAction.UNDO.menuItem(editor::undo);
        MenuItem redo = StandardAction.REDO.menuItem(editor::redo);
        undo.disableProperty().bind(editor.canUndoProperty().not());
        redo.disableProperty().bind(editor.canRedoProperty().not());
        Menu edit = new Menu("Edit");
        edit.getItems().addAll(undo, redo);
        return edit;
    }

    private Menu searchMenu() {
        MenuItem run = StandardAction.SEARCH.menuItem(() -> {
            window.tabs().getSelectionModel().select(1);
            window.runSearch(false);
        });
        MenuItem pinned = StandardAction.SEARCH_PINNED.menuItem(() -> window.runSearch(true));
        MenuItem stop = StandardAction.CANCEL_SEARCH.menuItem(search::cancel);
        run.disableProperty().bind(search.runningProperty());
        stop.disableProperty().bind(search.runningProperty().not());
        MenuItem again = StandardAction.SEARCH_AGAIN.menuItem(window::searchAgain);
        MenuItem compare = StandardAction.ADD_TO_COMPARISON.menuItem(() -> {
            if (editor.plan() != null) window.addToComparison("edited plan " + (window.compareView().shelf().size() + 1), editor.plan());
        });
        Menu menu = new Menu("Search");
        menu.getItems().addAll(run, pinned, stop, again, compare);
        return menu;
    }

    private Menu view() {
        Menu view = new Menu("View");
        ToggleGroup themes = new ToggleGroup();
        for (Themes.Choice c : Themes.Choice.values()) {
            RadioMenuItem item = new RadioMenuItem(c == Themes.Choice.SYSTEM ? "Theme: follow the system"
                    : c == Themes.Choice.LIGHT ? "Theme: light" : "Theme: dark");
            item.setToggleGroup(themes);
            item.setSelected(c == Themes.Choice.SYSTEM);
            item.setOnAction(e -> Themes.apply(c));
            view.getItems().add(item);
        }
        CheckMenuItem gib = new CheckMenuItem("Memory in GiB (else MB)");
        gib.selectedProperty().bindBidirectional(Units.gibProperty());
        view.getItems().addAll(new SeparatorMenuItem(), gib, new SeparatorMenuItem());
        for (int i = 0; i < StandardAction.tabs().size(); i++) {
            final int tab = i;
            view.getItems().add(StandardAction.tabs().get(i).menuItem(() -> window.tabs().getSelectionModel().select(tab)));
        }
        return view;
    }

    private Menu help() {
        MenuItem keys = StandardAction.SHORTCUTS.menuItem(() -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, StandardAction.shortcutSheet(), ButtonType.OK);
            a.setHeaderText("Keyboard shortcuts");
            a.getDialogPane().setStyle("-fx-font-family: monospace;");
            a.initOwner(window.window());
            a.show();
        });
        MenuItem about = StandardAction.ABOUT.menuItem(() -> {
            String v = StudioApp.class.getPackage().getImplementationVersion();
            Alert a = new Alert(Alert.AlertType.INFORMATION, "Galvatron Studio " + (v == null ? "0.1.0-SNAPSHOT" : v) + "\n\nPlans, searches "
                    + "and launches distributed training of Transformer models with Galvatron's cost model (PKU-DAIR's Galvatron, "
                    + "Apache-2.0).\nJava " + System.getProperty("java.version") + ", JavaFX " + System.getProperty("javafx.version")
                    + "\nProfiles: " + sampleRoot, ButtonType.OK);
            a.setHeaderText("About Galvatron Studio");
            if (window.window() != null) a.initOwner(window.window());
            a.show();
        });
        Menu help = new Menu("Help");
        help.getItems().addAll(keys, about);
        return help;
    }

    private Optional<Path> choose(String what, String... patterns) {
        FileChooser fc = new FileChooser();
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(what, patterns));
        return Optional.ofNullable(fc.showOpenDialog(window.window())).map(java.io.File::toPath);
    }
}
