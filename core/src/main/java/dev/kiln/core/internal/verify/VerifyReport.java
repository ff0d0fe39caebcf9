package dev.kiln.core.internal.verify;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The verify boot's results: which image was booted, and each check's outcome. Written to
 * {@code manifest.json} and as a JUnit XML report (the Ant/Surefire schema CI servers read:
 * one {@code testsuite}, a {@code testcase} per check, {@code failure} with the reason).
 */
public record VerifyReport(String image, String instanceId, List<CheckResult> checks) {
  /** The report's file name in the output directory. */
  public static final String JUNIT_FILE = "verify-junit.xml";

  /** One check's outcome; {@code detail} is the reason of a failure, else what was seen. */
  public record CheckResult(String name, boolean passed, String detail, Duration elapsed) {}

  public VerifyReport {
    checks = List.copyOf(checks);
  }

  /** The checks that failed, in the order they ran. */
  public List<CheckResult> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** Writes the JUnit XML report into {@code directory} (a temporary file, then renamed). */
  public Path writeJUnit(Path directory, String suiteName) throws IOException {
    StringWriter text = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", suiteName);
      x.writeAttribute("tests", Integer.toString(checks.size()));
      x.writeAttribute("failures", Integer.toString(failures().size()));
      x.writeAttribute("errors", "0");
      x.writeAttribute("skipped", "0");
      x.writeAttribute("time", seconds(checks.stream().map(CheckResult::elapsed)
          .reduce(Duration.ZERO, Duration::plus)));
      x.writeCharacters("\n");
      x.writeStartElement("properties");
      property(x, "image", image);
      property(x, "instance-id", instanceId);
      x.writeEndElement();
      x.writeCharacters("\n");
      for (CheckResult c : checks) {
        x.writeStartElement("testcase");
        x.writeAttribute("classname", suiteName);
        x.writeAttribute("name", c.name());
        x.writeAttribute("time", seconds(c.elapsed()));
        if (c.passed()) {
          x.writeStartElement("system-out");
          x.writeCharacters(clean(c.detail()));
          x.writeEndElement();
        } else {
          x.writeStartElement("failure");
          x.writeAttribute("message", clean(c.detail()));
          x.writeCharacters(clean(c.detail()));
          x.writeEndElement();
        }
        x.writeEndElement();
        x.writeCharacters("\n");
      }
      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("writing the JUnit report: " + e.getMessage(), e);
    }
    Path file = directory.resolve(JUNIT_FILE);
    Path partial = directory.resolve(JUNIT_FILE + ".partial");
    Files.writeString(partial, text + "\n", StandardCharsets.UTF_8);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  private static void property(XMLStreamWriter x, String name, String value)
      throws XMLStreamException {
    x.writeEmptyElement("property");
    x.writeAttribute("name", name);
    x.writeAttribute("value", clean(value));
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
  }

  /** XML 1.0 cannot carry most control characters, which command output may hold. */
  private static String clean(String s) {
    return s.replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "?");
  }
}
