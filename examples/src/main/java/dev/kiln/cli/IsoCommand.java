package dev.kiln.cli;

import dev.kiln.formats.FormatException;
import dev.kiln.formats.iso9660.BootEntry;
import dev.kiln.formats.iso9660.IsoEntry;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.formats.iso9660.IsoRemaster;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln iso …}: read and remaster ISO images. */
@Command(name = "iso", description = "List, extract from and remaster ISO 9660 images.",
    subcommands = {IsoCommand.Ls.class, IsoCommand.Extract.class, IsoCommand.Remaster.class,
        CommandLine.HelpCommand.class})
final class IsoCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static int fail(CommandLine.Model.CommandSpec spec, String what, Exception e) {
    spec.commandLine().getErr().println("kiln iso: " + what + ": " + (e instanceof
        NoSuchFileException ? "no such file " + e.getMessage() : e.getMessage()));
    return KilnCli.EXIT_INVALID;
  }

  /** {@code kiln iso ls ISO [PATH]}. */
  @Command(name = "ls", description = "List a directory of an ISO (labels and boot entries "
      + "for the root).")
  static final class Ls implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ISO")
    Path iso;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", defaultValue = "")
    String path;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (IsoReader r = IsoReader.open(iso)) {
        if (path.isEmpty() || path.equals("/")) {
          out.println("label " + r.volumeId() + r.jolietVolumeId().map(j -> " (Joliet: " + j
              + ")").orElse("") + (r.hasRockRidge() ? ", Rock Ridge" : "")
              + (r.hasJoliet() ? ", Joliet" : ""));
          for (BootEntry b : r.bootEntries()) {
            out.printf(Locale.ROOT, "boot %s image at sector %d (%d sectors)%n",
                b.platform() == 0xEF ? "UEFI" : "BIOS", b.lba(), b.sectorCount());
          }
        } else if (r.find(path).filter(IsoEntry::directory).isEmpty()) {
          throw new NoSuchFileException(path);
        }
        for (IsoEntry e : r.list(path)) {
          out.printf(Locale.ROOT, "%s %12d  %s%s%n", e.directory() ? "d" : e.linkTarget()
              .isPresent() ? "l" : "-", e.size(), e.name() + (e.directory() ? "/" : ""),
              e.linkTarget().map(t -> " -> " + t).orElse(""));
        }
        return 0;
      } catch (IOException e) {
        return fail(spec, iso.toString(), e);
      }
    }
  }

  /** {@code kiln iso extract ISO PATH DEST}. */
  @Command(name = "extract", description = "Copy one file out of an ISO.")
  static final class Extract implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ISO")
    Path iso;

    @Parameters(index = "1", paramLabel = "PATH")
    String path;

    @Parameters(index = "2", paramLabel = "DEST")
    Path dest;

    @Override
    public Integer call() {
      try (IsoReader r = IsoReader.open(iso)) {
        Path target = Files.isDirectory(dest) ? dest.resolve(Path.of(path).getFileName()) : dest;
        r.extract(path, target);
        spec.commandLine().getOut().println(target + ": " + Files.size(target) + " bytes");
        return 0;
      } catch (IOException e) {
        return fail(spec, iso + ":" + path, e);
      }
    }
  }

  /** {@code kiln iso remaster ISO OUT --add NAME=PATH … --append-kernel-args "…"}. */
  @Command(name = "remaster", description = {"Rebuild an installer ISO with extra files and "
      + "kernel arguments added to its isolinux and GRUB configurations, keeping its El Torito "
      + "boot images."})
  static final class Remaster implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ISO")
    Path iso;

    @Parameters(index = "1", paramLabel = "OUT")
    Path out;

    @Option(names = "--add", paramLabel = "NAME=PATH", description = "A file to add.")
    List<String> add = List.of();

    @Option(names = "--append-kernel-args", paramLabel = "ARGS", defaultValue = "")
    String args;

    @Override
    public Integer call() {
      Map<String, Path> files = new LinkedHashMap<>();
      for (String a : add) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
          spec.commandLine().getErr().println("kiln iso remaster: --add takes NAME=PATH");
          return 2;
        }
        files.put(a.substring(0, eq), Path.of(a.substring(eq + 1)));
      }
      try {
        Path work = out.toAbsolutePath().getParent();
        List<String> edited = IsoRemaster.remaster(iso, out, files, args, work);
        spec.commandLine().getOut().println(out + ": remastered; kernel arguments added in "
            + (edited.isEmpty() ? "no configuration file" : String.join(", ", edited)));
        return 0;
      } catch (FormatException e) {
        return fail(spec, iso.toString(), e);
      } catch (IOException | IllegalArgumentException e) {
        return fail(spec, iso.toString(), e);
      }
    }
  }
}
