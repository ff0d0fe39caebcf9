package dev.kiln.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln inspect IMAGE}: format, sizes and a structural check. */
@Command(name = "inspect", description = {"Show an image's format (detected from its content), "
    + "virtual size and allocated bytes, and check every structure, listing each problem.",
    "Exit 0 when the image is sound, 1 when it is corrupt or unreadable."})
final class InspectCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "IMAGE", description = "The image to inspect.")
  Path image;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isRegularFile(image)) {
      spec.commandLine().getErr().println("kiln inspect: " + image + ": no such file");
      return KilnCli.EXIT_INVALID;
    }
    ImageReport r;
    try {
      r = FormatRegistry.standard().inspect(image);
    } catch (IOException e) { // a read error, not a format error: those are in the report
      spec.commandLine().getErr().println("kiln inspect: " + IoErrors.sentence(e));
      return KilnCli.EXIT_INVALID;
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", image.toString());
      m.put("format", r.format().name().toLowerCase(Locale.ROOT));
      m.put("virtualSize", r.virtualSize());
      m.put("allocatedBytes", r.allocatedBytes());
      m.put("details", r.details());
      m.put("sound", r.sound());
      m.put("problems", r.problems());
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(m));
    } else {
      out.println(image + ":");
      out.println("  format          " + r.format().name().toLowerCase(Locale.ROOT)
          + (r.details().isEmpty() ? "" : " (" + String.join(", ", r.details()) + ")"));
      out.println("  virtual size    " + (r.virtualSize() < 0 ? "unknown" : r.virtualSize()
          + " bytes"));
      out.println("  allocated       " + r.allocatedBytes() + " bytes");
      if (r.sound()) {
        out.println("  check           no problems found");
      } else {
        out.println("  check           " + r.problems().size() + " problem(s):");
        r.problems().forEach(p -> out.println("    - " + p));
      }
    }
    return r.sound() ? 0 : KilnCli.EXIT_INVALID;
  }
}
