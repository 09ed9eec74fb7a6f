package studio.app.charts;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import studio.engine.io.JsonFiles;

import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/** Saves a chart as PNG or SVG, written the way every studio file is (temporary file, fsync, atomic move). */
public final class ChartExport {
    private ChartExport() {
    }

    public static Path png(JFreeChart chart, Path file, int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart, width, height);
        JsonFiles.writeAtomically(file, out.toByteArray());
        return file;
    }

    public static Path svg(JFreeChart chart, Path file, int width, int height) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        JsonFiles.writeAtomically(file, g.getSVGDocument());
        return file;
    }
}
