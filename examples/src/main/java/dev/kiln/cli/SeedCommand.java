package dev.kiln.cli;

import dev.kiln.formats.iso9660.IsoImageWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln seed}: write seed media for unattended installs. */
@Command(name = "seed", description = {"Write a seed ISO (Joliet + Rock Ridge) holding answer "
    + "files: label CIDATA for cloud-init/autoinstall (user-data, meta-data), OEMDRV for "
    + "Anaconda (ks.cfg).",
    "Files are given as PATH (stored under its file name) or NAME=PATH."})
final class SeedCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--label", required = true, paramLabel = "LABEL",
      description = "Volume label, e.g. CIDATA or OEMDRV.")
  String label;

  @Option(names = "--out", required = true, paramLabel = "ISO", description = "The ISO to write.")
  Path out;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "PATH or NAME=PATH.")
  List<String> files;

  @Override
  public Integer call() throws IOException {
    IsoImageWriter.Builder b;
    try {
      b = IsoImageWriter.builder(label);
      for (String f : files) {
        int eq = f.indexOf('=');
        String name = eq > 0 ? f.substring(0, eq) : Path.of(f).getFileName().toString();
        Path source = Path.of(eq > 0 ? f.substring(eq + 1) : f);
        if (!Files.isRegularFile(source)) {
          spec.commandLine().getErr().println("kiln seed: " + source + ": no such file");
          return KilnCli.EXIT_INVALID;
        }
        b.addFile(name, source);
      }
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("kiln seed: " + e.getMessage());
      return 2;
    }
    b.writeTo(out);
    spec.commandLine().getOut().println(out + ": ISO 9660 + Joliet + Rock Ridge, label " + label
        + ", " + files.size() + " file(s), " + Files.size(out) + " bytes");
    return 0;
  }
}
