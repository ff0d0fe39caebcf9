package dev.kiln.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Renders a captured terminal screen (text from {@code tmux capture-pane}) as a PNG, light
 * text on a dark background in DejaVu Sans Mono, for the documentation's screenshots.
 * {@code main(screen.txt, screen.png)} renders a saved capture.
 */
final class ScreenPng {
  private static final Path FONT = Path.of(
      "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf");

  private ScreenPng() {}

  static void render(List<String> screen, int columns, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Font font;
    try {
      font = Font.createFont(Font.TRUETYPE_FONT, FONT.toFile()).deriveFont(14f);
    } catch (java.awt.FontFormatException e) {
      throw new IOException(FONT + ": " + e.getMessage(), e);
    }
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    FontMetrics m = probe.createGraphics().getFontMetrics(font);
    int pad = 12;
    int width = columns * m.charWidth('M') + 2 * pad;
    int height = Math.max(1, screen.size()) * m.getHeight() + 2 * pad;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(new Color(0x1e, 0x1e, 0x1e));
    g.fillRect(0, 0, width, height);
    g.setColor(new Color(0xe0, 0xe0, 0xe0));
    g.setFont(font);
    for (int i = 0; i < screen.size(); i++) {
      g.drawString(screen.get(i), pad, pad + m.getAscent() + i * m.getHeight());
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  public static void main(String[] args) throws IOException {
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    int columns = lines.stream().mapToInt(String::length).max().orElse(80);
    render(lines, Math.max(80, columns), Path.of(args[1]));
  }
}
