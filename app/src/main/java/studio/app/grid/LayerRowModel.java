package studio.app.grid;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import studio.engine.plan.LayerStrategy;

import java.util.EnumMap;
import java.util.Map;

/**
 * A grid row that stays in the table while its content changes: the table redraws the cells bound to it instead of
 * rebuilding every row on each edit (what keeps an 80-layer edit within a frame).
 */
public final class LayerRowModel {
    /** The editable flags of a layer. */
    public enum Flag { ZERO3, TP_CONSECUTIVE, CHECKPOINT, ULYSSES }

    private final ObjectProperty<LayerRow> row = new SimpleObjectProperty<>();
    private final Map<Flag, BooleanProperty> flags = new EnumMap<>(Flag.class);

    LayerRowModel(LayerRow initial) {
        for (Flag f : Flag.values()) flags.put(f, new SimpleBooleanProperty());
        set(initial);
    }

    public ObjectProperty<LayerRow> rowProperty() { return row; }

    public LayerRow row() { return row.get(); }

    public BooleanProperty flag(Flag f) { return flags.get(f); }

    void set(LayerRow r) {
        row.set(r);
        LayerStrategy s = r.strategy();
        flags.get(Flag.ZERO3).set(s.isZero3());
        flags.get(Flag.TP_CONSECUTIVE).set(s.tpGroupsConsecutive());
        flags.get(Flag.CHECKPOINT).set(s.checkpoint());
        flags.get(Flag.ULYSSES).set(s.isUlysses());
    }
}
