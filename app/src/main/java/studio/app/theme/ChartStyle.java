package studio.app.theme;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;

/**
 * The studio's look for JFreeChart, light and dark: the window's background, muted series colours that stay apart
 * in both themes (a colour-blind-safe palette), light grid lines, flat bars. One place, so every chart agrees.
 */
public final class ChartStyle {
    /** Okabe and Ito's colour-blind-safe palette, then two neutrals. */
    private static final Paint[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0x56B4E9), new Color(0x999999), new Color(0xD55E00), new Color(0xF0E442)};

    private ChartStyle() {
    }

    public static Color background(boolean dark) {
        return dark ? new Color(0x0d1117) : Color.WHITE;
    }

    public static Color text(boolean dark) {
        return dark ? new Color(0xc9d1d9) : new Color(0x24292f);
    }

    public static Color grid(boolean dark) {
        return dark ? new Color(0x30363d) : new Color(0xd8dee4);
    }

    public static void apply(JFreeChart chart, boolean dark) {
        StandardChartTheme theme = new StandardChartTheme(dark ? "studio-dark" : "studio-light", false);
        Color bg = background(dark);
        Color fg = text(dark);
        theme.setChartBackgroundPaint(bg);
        theme.setPlotBackgroundPaint(bg);
        theme.setLegendBackgroundPaint(bg);
        theme.setTitlePaint(fg);
        theme.setSubtitlePaint(fg);
        theme.setLegendItemPaint(fg);
        theme.setAxisLabelPaint(fg);
        theme.setTickLabelPaint(fg);
        theme.setItemLabelPaint(fg);
        theme.setDomainGridlinePaint(grid(dark));
        theme.setRangeGridlinePaint(grid(dark));
        theme.setPlotOutlinePaint(grid(dark));
        theme.setBarPainter(new StandardBarPainter());
        theme.setShadowVisible(false);
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        theme.setDrawingSupplier(new DefaultDrawingSupplier(PALETTE, DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE, DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE));
        theme.apply(chart);
        if (chart.getPlot() instanceof CategoryPlot cp) {
            // "stage 0" .. "stage 7" on a narrow chart: two lines before "..."
            cp.getDomainAxis().setMaximumCategoryLabelLines(2);
            cp.getDomainAxis().setCategoryMargin(0.12);
        }
        if (chart.getPlot() instanceof CategoryPlot cp && cp.getRenderer() instanceof BarRenderer br) {
            br.setItemMargin(0.05);
            br.setDrawBarOutline(false);
            cp.setRangeCrosshairVisible(true);
            cp.setRangeCrosshairPaint(fg);
            cp.setRangeCrosshairStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
        }
        if (chart.getPlot() instanceof XYPlot xp) {
            xp.setDomainCrosshairVisible(true);
            xp.setRangeCrosshairVisible(true);
            xp.setDomainCrosshairPaint(fg);
            xp.setRangeCrosshairPaint(fg);
            if (xp.getRenderer() instanceof XYLineAndShapeRenderer r) {
                r.setDefaultStroke(new BasicStroke(1.8f));
                r.setAutoPopulateSeriesStroke(false);
                r.setSeriesStroke(0, new BasicStroke(1.8f));
            }
        }
    }

    /** Styles the charts now and again whenever the theme changes. */
    public static void follow(JFreeChart... charts) {
        for (JFreeChart c : charts) apply(c, Themes.isDark());
        Themes.darkProperty().addListener((o, a, dark) -> {
            for (JFreeChart c : charts) apply(c, dark);
        });
    }

    /** The caption an exported image carries: what plan it is of. */
    public static TextTitle caption(String text, boolean dark) {
        TextTitle t = new TextTitle(text, new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        t.setPaint(text(dark));
        t.setPosition(org.jfree.chart.ui.RectangleEdge.BOTTOM);
        return t;
    }
}
