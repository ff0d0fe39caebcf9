package dev.kiln.cli;

import dev.kiln.api.IsoSource;
import dev.kiln.api.KilnException;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Recipe;
import dev.kiln.api.RemoteFile;
import dev.kiln.core.Recipes;
import dev.kiln.formats.initrd.InitrdInjector;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.spi.OsProfile.InstallPlan;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.Catalog;
import dev.kiln.templates.values.CatalogEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln answers}: renders an OS's answer files for inspection. */
@Command(name = "answers", description = {"Render the answer files of an OS (from a recipe, "
    + "or Kiln's defaults) and write them to a directory with the seed ISO (CIDATA or OEMDRV) "
    + "or the initrd appendix they travel in, and the kernel command line.",
    "Passwords appear only as SHA-512 crypt hashes; a registration key is written as the "
        + "installer needs it."})
final class AnswersCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "OS-ID", arity = "0..1", description = "e.g. ubuntu-24.04, "
      + "debian-12, rhel-9, sles-15-sp6 (see kiln list); default: the recipe's OS.")
  String osId;

  @Option(names = "--recipe", paramLabel = "R", description = "Take users, keys, locale, "
      + "partitioning, packages and firmware from this recipe.")
  Path recipeFile;

  @Option(names = "--out", paramLabel = "DIR", required = true)
  Path out;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Catalog catalog = Catalog.builtIn();
      Recipe recipe = recipeFile == null ? null : Recipes.load(recipeFile);
      CatalogEntry entry;
      if (osId != null) {
        entry = catalog.entry(osId).orElseThrow(() -> new KilnException("no OS '" + osId
            + "' in the catalog; see kiln list"));
      } else if (recipe != null) {
        entry = catalog.entry(recipe.os()).orElseThrow(() -> new KilnException("the recipe's "
            + "OS " + recipe.os() + " is not in the catalog; see kiln list"));
      } else {
        throw new KilnException("give an OS-ID or --recipe");
      }
      OsSelection os = new OsSelection(entry.id(), entry.version());
      Recipe effective = recipe == null
          ? Recipe.builder(os, placeholderSource()).name("kiln-defaults").build()
          : Recipe.builder(os, recipe.source()).name(recipe.name()).machine(recipe.machine())
              .answers(recipe.answers()).guestIntegration(recipe.guestIntegration()).build();
      OsProfile profile = catalog.profile(entry.id()).orElseThrow();
      InstallPlan plan = profile.plan(effective);
      Files.createDirectories(out);
      for (Map.Entry<String, byte[]> f : plan.answerFiles().entrySet()) {
        Files.write(out.resolve(f.getKey()), f.getValue());
        stdout.println("wrote " + out.resolve(f.getKey()));
      }
      switch (plan.delivery()) {
        case SEED_CIDATA, SEED_OEMDRV -> {
          String label = plan.delivery() == OsProfile.AnswerDelivery.SEED_CIDATA ? "CIDATA"
              : "OEMDRV";
          IsoImageWriter.Builder iso = IsoImageWriter.builder(label);
          plan.answerFiles().forEach(iso::addFile);
          Path seed = out.resolve("seed-" + label.toLowerCase() + ".iso");
          iso.writeTo(seed);
          stdout.println("wrote " + seed + " (label " + label + ", attach as the second CD)");
        }
        case INITRD -> {
          Path appendix = out.resolve("initrd-append.cpio.gz");
          Files.write(appendix, InitrdInjector.cpioGzip(plan.answerFiles()));
          stdout.println("wrote " + appendix + " (append to " + plan.initrdPathInIso()
              + ", padded to 4 bytes)");
        }
        default -> throw new IllegalStateException(plan.delivery().toString());
      }
      String cmdline = "kernel: " + plan.kernelPathInIso() + "\ninitrd: "
          + plan.initrdPathInIso() + "\ncmdline: " + plan.kernelArguments() + "\n";
      Files.writeString(out.resolve("kernel-cmdline.txt"), cmdline, StandardCharsets.UTF_8);
      stdout.println("wrote " + out.resolve("kernel-cmdline.txt"));
      stdout.print(cmdline);
      return 0;
    } catch (KilnException | IOException e) {
      err.println("kiln answers: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
  }

  private static IsoSource placeholderSource() {
    return new IsoSource(new RemoteFile(List.of(), Optional.of(Path.of("installer.iso")),
        Optional.empty(), Optional.empty()));
  }
}
