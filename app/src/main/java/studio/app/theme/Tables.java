package studio.app.theme;

import javafx.scene.control.TableColumn;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;

/** Table columns as wide as what they show, so a header or a value is not cut to "...". */
public final class Tables {
    private Tables() {
    }

    /** The width {@code text} needs in a column header (bold, with the header's padding). */
    public static double headerWidth(String text) {
        Text probe = new Text(text);
        probe.setFont(Font.font(Font.getDefault().getFamily(), FontWeight.BOLD, 15));
        return Math.max(56, probe.getLayoutBounds().getWidth() + 44);
    }

    /** At least as wide as its header and {@code widestValue}. */
    public static void fit(TableColumn<?, ?> column, String header, String widestValue) {
        Text probe = new Text(widestValue == null ? "" : widestValue);
        probe.setFont(Font.font(Font.getDefault().getFamily(), 15));
        double w = Math.max(headerWidth(header), probe.getLayoutBounds().getWidth() + 28);
        column.setMinWidth(w);
        column.setPrefWidth(w);
    }

    /** A read-only text column of {@code f}'s value of each row. */
    public static <T> javafx.scene.control.TableColumn<T, String> column(String title, java.util.function.Function<T, String> f) {
        javafx.scene.control.TableColumn<T, String> c = new javafx.scene.control.TableColumn<>(title);
        c.setCellValueFactory(x -> new javafx.beans.property.ReadOnlyStringWrapper(f.apply(x.getValue())));
        return c;
    }

    /** A text column that follows {@code dependencies} too (it redraws when they change). */
    public static <T> javafx.scene.control.TableColumn<T, String> column(String title, java.util.function.Function<T, String> f,
                                                                         javafx.beans.Observable... dependencies) {
        javafx.scene.control.TableColumn<T, String> c = new javafx.scene.control.TableColumn<>(title);
        c.setCellValueFactory(x -> javafx.beans.binding.Bindings.createStringBinding(() -> f.apply(x.getValue()), dependencies));
        return c;
    }
}
