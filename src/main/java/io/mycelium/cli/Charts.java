package io.mycelium.cli;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Line charts written as PNG, the one chart style of every command. */
final class Charts {
    private Charts() {}

    record Series(String name, double[] x, double[] y) {}

    /** Writes a line chart; on a log axis values are floored at 1e-12 so zeros stay drawable. */
    static void lines(Path png, String title, String xTitle, String yTitle, boolean logY, List<Series> series) throws IOException {
        XYChart c = new XYChartBuilder().width(1000).height(650).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setYAxisLogarithmic(logY);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (Series s : series) {
            double[] y = s.y().clone();
            if (logY) for (int i = 0; i < y.length; i++) y[i] = Math.max(y[i], 1e-12);
            XYSeries xs = c.addSeries(s.name(), s.x(), y);
            xs.setMarker(SeriesMarkers.NONE);
        }
        String file = png.toString();
        BitmapEncoder.saveBitmap(c, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file, BitmapEncoder.BitmapFormat.PNG);
    }
}
