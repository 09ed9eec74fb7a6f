package studio.app.pipeline;

import java.util.List;

/**
 * Where layers and split handles sit on the pipeline bar: slot 0 is the embedding, slots 1..L the layers, slot L+1
 * the head. Pure arithmetic, so dragging is testable without a window.
 */
public record SplitGeometry(double width, int layers) {
    public double slotWidth() { return width / (layers + 2); }

    /** x of the handle after {@code layersBefore} layers. */
    public double handleX(int layersBefore) { return (layersBefore + 1) * slotWidth(); }

    /** The number of layers before a handle dropped at {@code x}, rounded to the nearest layer boundary. */
    public int layersBefore(double x) {
        int n = (int) Math.round(x / slotWidth()) - 1;
        return Math.max(0, Math.min(layers, n));
    }

    /** Layers before the split after stage {@code boundary}. */
    public static int layersBefore(List<Integer> division, int boundary) {
        int n = 0;
        for (int i = 0; i <= boundary; i++) n += division.get(i);
        return n;
    }
}
