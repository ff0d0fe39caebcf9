package dev.kiln.core.internal.pipeline;

import dev.kiln.api.CommunicatorException;
import dev.kiln.api.KilnException;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.core.internal.verify.ConfigDrive;
import dev.kiln.core.internal.verify.ReachableImage;
import dev.kiln.core.internal.verify.TemplateChecks;
import dev.kiln.core.internal.verify.VerifyReport;
import dev.kiln.formats.DiskImage;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.registry.FormatRegistry;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.MachineSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Verify: the exported template booted as CloudStack boots a new VM — on a throw-away overlay
 * with a disk 1 GiB larger, a ConfigDrive with a new instance id and a new SSH key — and
 * checked over SSH ({@link TemplateChecks}). It boots the qcow2 or raw artifact; an image of
 * another format is read through Kiln's readers into a scratch qcow2 first. The results go to
 * {@code manifest.json} and {@code verify-junit.xml}; a failed check fails the stage.
 */
final class VerifyStage {
  private static final long GROWTH = 1L << 30;
  private final BuildContext ctx;

  VerifyStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  void verify(List<Exporter.Artifact> artifacts) throws Exception {
    Optional<Exporter.Artifact> chosen = bootable(artifacts);
    if (chosen.isEmpty()) {
      ctx.events.warning("verify.skipped", "no artifact Kiln can boot without unpacking "
          + "(qcow2, raw, VHD, VHDX, OVA); the template was not verified");
      return;
    }
    String user = ctx.defaultUser.orElseThrow(() -> new KilnException("the template's "
        + "cloud-init default user is unknown (no system_info.default_user in its cloud.cfg), "
        + "so the verify boot cannot log in; build with --no-verify"));
    Path artifact = chosen.get().file().file();
    Path image = bootImage(artifact, chosen.get().spec().format());
    long virtualSize;
    try (DiskImage d = FormatRegistry.standard().open(image)) {
      virtualSize = d.virtualSize();
    }
    String instanceId = "kiln-verify-" + UUID.randomUUID();
    BuildKey key = BuildKey.generate("kiln-verify-" + ctx.settings.buildId());
    Path drive = ctx.scratch("verify-configdrive.iso");
    new ConfigDrive(instanceId, "kiln-verify", key.publicKey(), Optional.empty(),
        Optional.empty()).writeTo(drive);
    String format = image.getFileName().toString().endsWith(".raw") ? "raw" : "qcow2";
    MachineSpec spec = ctx.machineSpec("verify")
        .addDisk(MachineSpec.Disk.overlayOn(image, format, virtualSize + GROWTH))
        .addCdrom(drive).forwardGuestPort(22).build();
    RunningMachine machine = ctx.createMachine(spec);
    machine.machine().start();
    InetSocketAddress address = machine.machine().forwardedPort(22).orElseThrow(() ->
        new KilnException(machine.machine().name() + " gives no address for SSH"));
    List<VerifyReport.CheckResult> results;
    try (Communicator ssh = connect(address, user, key, machine)) {
      results = TemplateChecks.run(ssh, new TemplateChecks.Expected(instanceId,
          key.publicKey(), BuildContext.BUILD_USER, ctx.buildMachineId, virtualSize,
          ctx.recipe.generalize().rootPassword(), ctx.recipe.machine().firmware(),
          ctx.recipe.machine().secureBoot(), ctx.recipe.tests().stream().map(t ->
              new TemplateChecks.UserTest(t.name(), t.run(), t.exitCode(), t.outputMatches()))
              .toList()));
    }
    machine.close();
    for (VerifyReport.CheckResult r : results) {
      ctx.events.dispatch(new dev.kiln.api.event.KilnEvent.CommandOutput(ctx.settings.buildId(),
          ctx.events.now(), "verify", dev.kiln.api.event.KilnEvent.OutputStream.STDOUT,
          (r.passed() ? "passed " : "FAILED ") + r.name() + (r.passed() ? "" : ": "
              + r.detail())));
    }
    VerifyReport report = new VerifyReport(artifact.getFileName().toString(), instanceId,
        results);
    ctx.verify = report;
    Path out = ctx.settings.outputDirectory();
    report.writeJUnit(out, "kiln-verify." + ctx.recipe.name());
    ManifestWriter.write(ctx.manifest(), out);
    if (!report.failures().isEmpty()) {
      throw new KilnException("the template failed " + report.failures().size() + " of "
          + results.size() + " verify checks (" + out.resolve(VerifyReport.JUNIT_FILE) + "): "
          + report.failures().stream().map(f -> f.name() + ": " + f.detail())
          .collect(Collectors.joining("; ")));
    }
  }

  /**
   * Logs in with the ConfigDrive's key. A template that ignores the drive never lets the key
   * in: the failure says what cloud-init printed on the console about its data source.
   */
  private Communicator connect(InetSocketAddress address, String user, BuildKey key,
      RunningMachine machine) throws Exception {
    try {
      return ctx.settings.connector().connect(address, user, key, ctx.settings.sshTimeout(),
          machine.machine(), ctx.events);
    } catch (CommunicatorException e) {
      String console = machine.machine().diagnostics();
      String datasource = console.lines().filter(l -> l.contains("Datasource DataSource"))
          .reduce((a, b) -> b).map(l -> l.replaceAll(".*(Datasource DataSource\\S*).*", "$1"))
          .orElse("no data source line from cloud-init on the console");
      throw new KilnException("the template did not let " + user + " log in with the "
          + "ConfigDrive's SSH key (" + datasource + "): CloudStack's key reset would not work"
          + " either; " + e.getMessage(), e);
    }
  }

  /** The artifact to boot: qcow2 or raw first, then formats Kiln reads; not packaged ones. */
  private static Optional<Exporter.Artifact> bootable(List<Exporter.Artifact> artifacts) {
    List<ImageFormat> order = List.of(ImageFormat.QCOW2, ImageFormat.RAW, ImageFormat.VHDX,
        ImageFormat.VHD, ImageFormat.OVA);
    for (ImageFormat f : order) {
      for (Exporter.Artifact a : artifacts) {
        if (a.spec().format() == f && a.spec().compression() == Packaging.NONE) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * What the machine boots from: a qcow2 or raw artifact itself (linked, or copied, into the
   * build directory, which QEMU can reach wherever the output directory is), another format
   * read by Kiln's readers into a scratch qcow2 — so the bytes booted are the artifact's.
   */
  private Path bootImage(Path artifact, ImageFormat format) throws IOException {
    if (format == ImageFormat.QCOW2 || format == ImageFormat.RAW) {
      return ReachableImage.place(artifact, ctx.scratch("verify-base."
          + (format == ImageFormat.RAW ? "raw" : "qcow2")));
    }
    Path qcow2 = ctx.scratch("verify-base.qcow2");
    ImageConverter.convert(artifact, qcow2, ConversionTarget.of(
        dev.kiln.formats.ImageFormat.QCOW2, Packaging.NONE), 2, n -> { });
    return qcow2;
  }
}
