package dev.kiln.cli;

import dev.kiln.templates.Catalog;
import dev.kiln.templates.values.CatalogEntry;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code kiln list}: the OS catalog. */
@Command(name = "list", description = "List the OS catalog: every OS id Kiln can build, its "
    + "installer and answer delivery, and whether a vendor cloud image is available.")
final class ListCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "json: one os line per catalog entry, then the result (schema in "
          + "docs/events.schema.json).")
  BuildCommand.OutputMode output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (output == BuildCommand.OutputMode.JSON) {
      JsonLines lines = new JsonLines(out);
      int n = 0;
      for (CatalogEntry e : Catalog.builtIn().entries()) {
        java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("osId", e.osId());
        f.put("name", e.name());
        f.put("version", e.version());
        f.put("installMethod", e.installer().method().toString());
        f.put("cloudImage", e.cloudImage().isPresent());
        f.put("iso", e.iso().localOnly() ? "local" : "download");
        e.registration().ifPresent(r -> f.put("registration", r.toString()));
        lines.line("os", f);
        n++;
      }
      lines.result(0, java.util.Map.of("count", n));
      return 0;
    }
    String format = "%-20s %-37s %-33s %-11s %s%n";
    out.printf(Locale.ROOT, format, "OS-ID", "NAME", "INSTALL METHOD", "CLOUD IMAGE", "ISO");
    for (CatalogEntry e : Catalog.builtIn().entries()) {
      out.printf(Locale.ROOT, format, e.osId(), e.name() + " " + e.version(),
          e.installer().method(), e.cloudImage().isPresent() ? "yes" : "no",
          e.iso().localOnly() ? "local (" + e.iso().file().orElse("vendor ISO")
              + (e.registration().isPresent() ? ", needs " + e.registration().get() : "")
              + ")" : "download");
    }
    return 0;
  }
}
