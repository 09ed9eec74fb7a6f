package studio.app.charts;

import javafx.scene.control.Label;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.chart.entity.ChartEntity;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;

import java.util.Locale;

/** Hover read-outs for a chart: the value under the pointer in words, and the crosshair moved onto it. */
public final class ChartReadout {
    private ChartReadout() {
    }

    /** The read-out of a chart item: "stage 1 · activations: 12,345.000 MB", "layer 12: 3.125 ms". */
    public static String describe(ChartEntity entity, String xName, String unit) {
        if (entity instanceof CategoryItemEntity c) {
            Number v = c.getDataset().getValue(c.getRowKey(), c.getColumnKey());
            return c.getColumnKey() + " · " + c.getRowKey() + ": " + String.format(Locale.ROOT, "%,.3f %s", v == null ? 0.0 : v.doubleValue(), unit);
        }
        if (entity instanceof XYItemEntity xy) {
            double x = xy.getDataset().getXValue(xy.getSeriesIndex(), xy.getItem());
            double y = xy.getDataset().getYValue(xy.getSeriesIndex(), xy.getItem());
            String series = xy.getDataset().getSeriesCount() > 1 ? xy.getDataset().getSeriesKey(xy.getSeriesIndex()) + " · " : "";
            return series + String.format(Locale.ROOT, "%s %s: %,.3f %s", xName, trim(x), y, unit);
        }
        return " ";
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? String.format(Locale.ROOT, "%.0f", x) : String.format(Locale.ROOT, "%.3f", x);
    }

    public static void attach(ChartViewer viewer, Label readout, String xName, String unit) {
        viewer.addChartMouseListener(new ChartMouseListenerFX() {
            @Override
            public void chartMouseClicked(ChartMouseEventFX e) {
                chartMouseMoved(e);
            }

            @Override
            public void chartMouseMoved(ChartMouseEventFX e) {
                readout.setText(describe(e.getEntity(), xName, unit));
                var plot = viewer.getChart().getPlot();
                if (e.getEntity() instanceof XYItemEntity xy && plot instanceof XYPlot p) {
                    p.setDomainCrosshairValue(xy.getDataset().getXValue(xy.getSeriesIndex(), xy.getItem()));
                    p.setRangeCrosshairValue(xy.getDataset().getYValue(xy.getSeriesIndex(), xy.getItem()));
                } else if (e.getEntity() instanceof CategoryItemEntity c && plot instanceof CategoryPlot p) {
                    p.setRangeCrosshairValue(stackTop(c));
                }
            }
        });
    }

    /** Where the hovered part of a (stacked) bar ends. */
    private static double stackTop(CategoryItemEntity c) {
        var d = c.getDataset();
        int col = d.getColumnIndex(c.getColumnKey());
        int row = d.getRowIndex(c.getRowKey());
        double top = 0;
        for (int r = 0; r <= row; r++) {
            Number n = d.getValue(r, col);
            if (n != null) top += n.doubleValue();
        }
        return top;
    }
}
