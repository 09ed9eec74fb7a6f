package studio.app.theme;

import javafx.beans.property.StringProperty;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;

/** The settings forms' two kinds of field, bound both ways to their view-model's property. */
public final class Forms {
    private Forms() {
    }

    /** A labelled one-line field. */
    public static VBox field(String label, String id, StringProperty value, int columns) {
        TextField f = new TextField();
        f.setId(id);
        f.setPrefColumnCount(columns);
        f.textProperty().bindBidirectional(value);
        return new VBox(1, new Label(label), f);
    }

    /** A few lines of text, said by its prompt and tooltip. */
    public static TextArea area(String id, StringProperty value, String prompt) {
        TextArea a = new TextArea();
        a.setId(id);
        a.setPromptText(prompt);
        a.setPrefRowCount(2);
        a.setTooltip(new Tooltip(prompt));
        a.textProperty().bindBidirectional(value);
        return a;
    }

    /** A button with its id, tooltip and action. */
    public static javafx.scene.control.Button button(String text, String id, String tooltip, Runnable action) {
        javafx.scene.control.Button b = new javafx.scene.control.Button(text);
        b.setId(id);
        if (tooltip != null) b.setTooltip(new Tooltip(tooltip));
        b.setOnAction(e -> action.run());
        return b;
    }

    /** A section's status line, wrapped, showing {@code text}. */
    public static Label status(String id, javafx.beans.value.ObservableValue<String> text) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.textProperty().bind(text);
        return l;
    }
}
