package dev.kiln.core.internal.pipeline;

import dev.kiln.api.Firmware;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.io.FanOutWriter;
import dev.kiln.formats.pack.Packaging;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The build's export stage on its own, for {@code bench/run-export-bench.sh}: the README
 * recipe's outputs (qcow2, vhd.bz2, OVA) written from DISK into OUT-DIR exactly as a build
 * writes them — one read for qcow2 and VHD, the private-key and secret scans riding it, bz2,
 * the OVA's own read, SHA-256 of every artifact, SHA256SUMS. Not a test: a main for the
 * benchmark, on the test class path because the stage's scans are package-private.
 */
public final class ExportStageBench {
  private ExportStageBench() {}

  /** {@code ExportStageBench DISK OUT-DIR}: writes the artifacts and SHA256SUMS into OUT-DIR. */
  public static void main(String[] args) throws Exception {
    Path disk = Path.of(args[0]);
    Path out = Path.of(args[1]);
    List<OutputSpec> outputs = List.of(
        new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE),
        new OutputSpec(TargetHypervisor.XENSERVER, ImageFormat.VHD, Packaging.BZIP2),
        new OutputSpec(TargetHypervisor.VMWARE, ImageFormat.OVA, Packaging.NONE));
    DiskWriter scans = new FanOutWriter(List.<DiskWriter>of(new PrivateKeyScan(),
        new SecretScan(Map.of("a recipe password", "correct-horse-battery-staple"))));
    List<Exporter.Artifact> artifacts = Exporter.export(disk, outputs, out, "bench",
        "debian-12", 2, 2048, Firmware.BIOS, "bench", EventHandlers.NONE, scans,
        Set.of("SHA-256"));
    Exporter.writeChecksumFiles(out, artifacts);
  }
}
