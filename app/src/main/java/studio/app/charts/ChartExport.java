package studio.app.charts;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Saves a chart as PNG or SVG, through a temporary file moved into place. */
public final class ChartExport {
    private ChartExport() {
    }

    public static Path png(JFreeChart chart, Path file, int width, int height) throws IOException {
        Path tmp = temp(file);
        ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
        return move(tmp, file);
    }

    public static Path svg(JFreeChart chart, Path file, int width, int height) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        Path tmp = temp(file);
        SVGUtils.writeToSVG(tmp.toFile(), g.getSVGElement());
        return move(tmp, file);
    }

    private static Path temp(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    }

    private static Path move(Path tmp, Path file) throws IOException {
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
