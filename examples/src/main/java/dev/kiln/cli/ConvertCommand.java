package dev.kiln.cli;

import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.pack.PackagedFile;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.registry.FormatRegistry;
import dev.kiln.formats.vhd.VhdOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln convert SRC DEST}: convert and package a disk image. */
@Command(name = "convert", description = {"Convert a disk image (raw, qcow2, VHD, VHDX, VMDK or the disk "
    + "of an OVA, detected from its content) to qcow2, VHD, VHDX, stream-optimized VMDK, OVA "
    + "or raw, packaged as the destination's name says: "
    + "x.qcow2, x.qcow2.bz2, x.vhd.bz2, x.vhd.zip, x.raw.gz…",
    "Shows progress on standard error (bars on a terminal, a timestamped line per 10 % "
        + "otherwise), then prints the artifact's size and its checksums."})
final class ConvertCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SRC", description = "The source image.")
  Path source;

  @Parameters(index = "1", paramLabel = "DEST", description = "The artifact to write.")
  Path destination;

  @Option(names = "--format", paramLabel = "F",
      description = "Target format (qcow2, vhd, vhdx, vmdk, ova, raw), overriding DEST's extension.")
  Optional<String> format;

  @Option(names = "--force", description = "Replace DEST if it exists (otherwise an existing "
      + "DEST is an error).")
  boolean force;

  @Option(names = "--checksum", paramLabel = "sha256|md5|sha512|all|none",
      defaultValue = "sha256", description = "Checksums of DEST to print, computed on the bytes "
      + "as they are written when DEST is compressed (default: ${DEFAULT-VALUE}, what "
      + "CloudStack's registration and SHA256SUMS use).")
  String checksum;

  @Option(names = {"-q", "--quiet"}, description = "No progress display, only the result.")
  boolean quiet;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "json: progress and the result as JSON lines on standard output (schema "
          + "in docs/events.schema.json).")
  BuildCommand.OutputMode output;

  private JsonLines lines;

  @Option(names = "--compress", description = "Compress qcow2 clusters (like qemu-img -c).")
  boolean compress;

  @Option(names = "--threads", paramLabel = "N",
      description = "Compression threads (default: all cores).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--vhd-subformat", paramLabel = "dynamic|fixed", defaultValue = "dynamic",
      description = "VHD kind (default: ${DEFAULT-VALUE}; XenServer takes dynamic).")
  String vhdSubformat;

  @Option(names = "--qcow2-compat", paramLabel = "0.10|1.1", defaultValue = "1.1",
      description = "qcow2 version: 1.1 (v3) or 0.10 (v2, for old hosts). Default "
          + "${DEFAULT-VALUE}.")
  String qcow2Compat;

  @Option(names = "--os", paramLabel = "OS-VERSION", defaultValue = "other",
      description = "For OVAs: the guest OS, e.g. debian-12, ubuntu-24.04, rhel-9 (sets the OVF's "
          + "CIM id and vmw:osType).")
  String os;

  @Option(names = "--cpus", defaultValue = "2", description = "For OVAs: virtual CPUs.")
  int cpus;

  @Option(names = "--memory", paramLabel = "MIB", defaultValue = "2048",
      description = "For OVAs: memory in MiB.")
  long memoryMiB;

  @Option(names = "--firmware", paramLabel = "bios|efi", defaultValue = "bios",
      description = "For OVAs: firmware.")
  String firmware;

  @Option(names = "--hardware-version", paramLabel = "vmx-NN", defaultValue = "vmx-14",
      description = "For OVAs: VMware hardware version (default ${DEFAULT-VALUE}, ESXi 6.7+).")
  String hardwareVersion;

  /** One sentence on standard error (and the result line with --output json); the code. */
  private int fail(int code, String message) {
    spec.commandLine().getErr().println("kiln convert: " + message);
    if (lines != null) {
      lines.result(code, java.util.Map.of("error", message));
    }
    return code;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean json = output == BuildCommand.OutputMode.JSON;
    lines = json ? new JsonLines(out) : null;
    ConversionTarget target;
    try {
      if (!vhdSubformat.equals("dynamic") && !vhdSubformat.equals("fixed")) {
        throw new IllegalArgumentException("--vhd-subformat is dynamic or fixed");
      }
      Optional<ImageFormat> forced = format.map(f -> FormatRegistry.standard().byName(f)
          .orElseThrow(() -> new IllegalArgumentException("--format " + f + " is not a format "
              + "Kiln writes; use one of " + FormatRegistry.standard().extensionsText()
              .replace(".", ""))).format());
      target = ConversionTarget.forFileName(destination.getFileName().toString(), forced,
          java.util.List.of(new Qcow2Options(qcow2Compat, compress, threads),
          new VhdOptions(vhdSubformat.equals("dynamic"), Instant.now(), UUID.randomUUID()),
          dev.kiln.formats.vhdx.VhdxOptions.defaults(),
          new dev.kiln.formats.ova.OvfSpec(destination.getFileName().toString()
              .replaceAll("\\.ova$", ""), dev.kiln.formats.ova.GuestOs.forOs(os), cpus,
              memoryMiB, firmware.equals("efi"), hardwareVersion, "lsilogic",
              UUID.randomUUID().toString(), dev.kiln.api.KilnVersion.get())));
    } catch (IllegalArgumentException e) {
      return fail(2, e.getMessage());
    }
    java.util.Set<String> checksums;
    try {
      checksums = dev.kiln.formats.pack.Checksums.choice(checksum);
    } catch (IllegalArgumentException e) {
      return fail(2, e.getMessage());
    }
    if (!Files.isRegularFile(source)) {
      return fail(KilnCli.EXIT_INVALID, source + ": no such file");
    }
    Path parent = destination.toAbsolutePath().getParent();
    if (!Files.isDirectory(parent)) {
      return fail(KilnCli.EXIT_INVALID, "cannot write " + destination + ": the directory "
          + parent + " does not exist; create it first");
    }
    if (Files.exists(destination) && !force) {
      return fail(KilnCli.EXIT_INVALID, destination + " exists; use --force to replace it");
    }
    Instant start = Instant.now();
    try {
      PackagedFile f;
      try (ProgressDisplay display = new ProgressDisplay(json ? ProgressDisplay.Mode.QUIET
              : ProgressDisplay.detect(quiet), err, java.time.Clock.systemUTC());
          PhasedProgress progress = new PhasedProgress(display,
              destination.getFileName().toString())) {
        f = ImageConverter.convert(source, destination, target, threads, checksums, json
            ? new JsonProgress(lines) : progress);
      }
      Duration took = Duration.between(start, Instant.now());
      if (json) {
        lines.result(0, java.util.Map.of("file", f.file().toString(), "format",
            target.format().name().toLowerCase(Locale.ROOT) + target.packaging().suffix(),
            "size", f.size(), "seconds", took.toMillis() / 1000.0, "checksums",
            f.checksums()));
        return 0;
      }
      out.printf(Locale.ROOT, "%s: %s%s, %d bytes, %.1f s%n", f.file(),
          target.format().name().toLowerCase(Locale.ROOT), target.packaging().suffix(),
          f.size(), took.toMillis() / 1000.0);
      f.checksums().forEach((alg, hex) -> out.println("  " + alg + " " + hex));
      return 0;
    } catch (dev.kiln.formats.FormatLimitException e) {
      return fail(KilnCli.EXIT_INVALID, e.getMessage());
    } catch (FormatException e) {
      return fail(KilnCli.EXIT_INVALID, source + ": " + e.getMessage());
    } catch (IOException e) {
      return fail(KilnCli.EXIT_INVALID, IoErrors.sentence(e));
    }
  }
}
