package studio.app;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.TransferMode;
import studio.app.actions.StandardAction;
import studio.app.project.PlanEditor;

import java.nio.file.Path;
import java.util.function.Consumer;

/** What the window's scene takes from anywhere: undo and redo keys, and files dropped on it. */
final class WindowInput {
    private static final KeyCombination UNDO_KEY = StandardAction.UNDO.key();
    private static final KeyCombination REDO_KEY = StandardAction.REDO.key();

    private WindowInput() {
    }

    static void install(Scene scene, PlanEditor editor, Consumer<Path> open) {
        // undo and redo from anywhere: a focused text field would otherwise swallow the keys (its own text undo aside)
        scene.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            boolean undoKey = UNDO_KEY.match(e);
            boolean redoKey = REDO_KEY.match(e);
            if (!undoKey && !redoKey) return;
            TextInputControl field = textField(scene.getFocusOwner());
            if (field != null && (undoKey ? field.isUndoable() : field.isRedoable())) return;
            if (undoKey) editor.undo(); else editor.redo();
            e.consume();
        });
        scene.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
            e.consume();
        });
        scene.setOnDragDropped(e -> {
            boolean ok = false;
            if (e.getDragboard().hasFiles()) {
                for (var f : e.getDragboard().getFiles()) {
                    open.accept(f.toPath());
                    ok = true;
                }
            }
            e.setDropCompleted(ok);
            e.consume();
        });
    }

    private static TextInputControl textField(Node owner) {
        if (owner instanceof TextInputControl t) return t;
        if (owner instanceof Spinner<?> s && s.isEditable()) return s.getEditor();
        if (owner instanceof ComboBox<?> c && c.isEditable()) return c.getEditor();
        return null;
    }
}
