package studio.app.actions;

import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCombination;

import java.util.ArrayList;
import java.util.List;

/**
 * Every command of the studio's menus, defined once: its text and its key. Menus, the scene's key handling and the
 * keyboard-shortcut sheet all read them from here (as JabRef's StandardActions do).
 */
public enum StandardAction {
    NEW_PROJECT("New project", "Shortcut+N"),
    OPEN_PROJECT("Open project…", "Shortcut+O"),
    CLOSE_PROJECT("Close project", "Shortcut+W"),
    SAVE_PROJECT("Save project", "Shortcut+S"),
    SAVE_PROJECT_AS("Save project as…", "Shortcut+Shift+S"),
    IMPORT_CONFIG("Import Galvatron config…", "Shortcut+I"),
    OPEN_GALVATRON3_YAML("Open Galvatron 3.0 search YAML…", "Shortcut+Shift+O"),
    EXPORT_CONFIG("Export Galvatron config…", "Shortcut+E"),
    EXPORT_CHARTS("Export charts (PNG and SVG)…", "Shortcut+Shift+E"),
    QUIT("Quit", "Shortcut+Q"),
    UNDO("Undo", "Shortcut+Z"),
    REDO("Redo", "Shortcut+Shift+Z"),
    SEARCH("Search", "Shortcut+R"),
    SEARCH_PINNED("Re-search with selected layers pinned", "Shortcut+Shift+R"),
    CANCEL_SEARCH("Cancel search", "Shortcut+PERIOD"),
    SEARCH_AGAIN("Search again for this cluster (replaces the plan, undoable)", "Shortcut+Shift+F"),
    ADD_TO_COMPARISON("Add the plan to the comparison", "Shortcut+D"),
    TAB_EDITOR("Editor", "Shortcut+1"),
    TAB_SEARCH("Search", "Shortcut+2"),
    TAB_COMPARE("Compare", "Shortcut+3"),
    TAB_WHAT_IF("What-if", "Shortcut+4"),
    TAB_EXPLAIN("Explain layer", "Shortcut+5"),
    TAB_TIMELINE("Pipeline timeline", "Shortcut+6"),
    TAB_CLUSTER("Cluster and training", "Shortcut+7"),
    SHORTCUTS("Keyboard shortcuts", null),
    ABOUT("About Galvatron Studio", null);

    private final String text;
    private final String key;

    StandardAction(String text, String key) {
        this.text = text;
        this.key = key;
    }

    public String text() { return text; }

    /** The key combination, or null for a command without one. */
    public KeyCombination key() {
        return key == null ? null : KeyCombination.keyCombination(key);
    }

    /** The tabs, in the order the window shows them. */
    public static List<StandardAction> tabs() {
        return List.of(TAB_EDITOR, TAB_SEARCH, TAB_COMPARE, TAB_WHAT_IF, TAB_EXPLAIN, TAB_TIMELINE, TAB_CLUSTER);
    }

    /** A menu item for the action. */
    public MenuItem menuItem(Runnable run) {
        MenuItem m = new MenuItem(text);
        if (key != null) m.setAccelerator(key());
        m.setOnAction(e -> run.run());
        return m;
    }

    /** The shortcut sheet: every action that has a key, with its key as the platform shows it. */
    public static String shortcutSheet() {
        List<String> lines = new ArrayList<>();
        for (StandardAction a : values()) {
            if (a.key != null) lines.add(String.format("%-18s %s", a.key().getDisplayText(), a.text.replace("…", "")));
        }
        lines.add("");
        lines.add("Drop a galvatron_config or project file on the window to open it.");
        return String.join("\n", lines);
    }
}
