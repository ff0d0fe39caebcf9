package dev.kiln.cli;

import dev.kiln.templates.Catalog;
import dev.kiln.templates.CatalogEntry;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kiln list}: the OS catalog. */
@Command(name = "list", description = "List the OS catalog: every OS id Kiln can build, its "
    + "installer and answer delivery, and whether a vendor cloud image is available.")
final class ListCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
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
