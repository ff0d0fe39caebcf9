package dev.kiln.cli;

import dev.kiln.core.history.BuildHistory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.time.Millisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

/**
 * The history as a picture a team lead pins up: build time (minutes) over the days, one line
 * per OS for successful builds, failures as red crosses at the time they failed, and the
 * 30-minute target as a dashed line. Drawn with JFreeChart, headless.
 */
final class HistoryPlot {
  static final double TARGET_MINUTES = 30;
  private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf),
      new Color(0xe377c2), new Color(0x7f7f7f)};

  private HistoryPlot() {}

  static void write(List<BuildHistory.Entry> builds, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, TimeSeries> ok = new LinkedHashMap<>();
    TimeSeries failed = new TimeSeries("failed builds");
    for (BuildHistory.Entry e : builds) {
      var s = e.summary();
      Millisecond at = new Millisecond(Date.from(s.started()));
      double minutes = s.elapsed().toMillis() / 60_000.0;
      if (s.succeeded()) {
        ok.computeIfAbsent(s.os() + "-" + s.osVersion(), TimeSeries::new).addOrUpdate(at,
            minutes);
      } else {
        failed.addOrUpdate(at, minutes);
      }
    }
    TimeSeriesCollection data = new TimeSeriesCollection();
    ok.values().forEach(data::addSeries);
    data.addSeries(failed);
    JFreeChart chart = ChartFactory.createTimeSeriesChart("Kiln build time per OS",
        "build started (UTC)", "minutes", data, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < ok.size(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      r.setSeriesStroke(i, new BasicStroke(2.5f));
      r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
    }
    int f = ok.size();
    r.setSeriesLinesVisible(f, false);
    r.setSeriesPaint(f, new Color(0xd62728));
    r.setSeriesStroke(f, new BasicStroke(2.5f));
    r.setSeriesShape(f, cross());
    plot.setRenderer(r);
    ValueMarker target = new ValueMarker(TARGET_MINUTES, new Color(0xd62728),
        new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
            new float[] {8, 6}, 0));
    target.setLabel("target: 30 min");
    target.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    target.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
    target.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
    plot.addRangeMarker(target);
    plot.getRangeAxis().setLowerBound(0);
    double max = builds.stream().mapToDouble(e -> e.summary().elapsed().toMillis() / 60_000.0)
        .max().orElse(TARGET_MINUTES);
    plot.getRangeAxis().setUpperBound(Math.max(max, TARGET_MINUTES) * 1.15);
    Path dir = png.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + png.getFileName(), ".partial");
    try {
      ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 1200, 600);
      Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static java.awt.Shape cross() {
    java.awt.geom.Path2D p = new java.awt.geom.Path2D.Double();
    p.append(new Line2D.Double(-5, -5, 5, 5), false);
    p.append(new Line2D.Double(-5, 5, 5, -5), false);
    return new BasicStroke(2.5f).createStrokedShape(p);
  }
}
