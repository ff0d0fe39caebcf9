package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.spi.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Export: every output in one read of the machine's disk (in place when the machine is on this
 * host, else fetched), scanned for private-key material in the same read, the checksum files
 * and {@code manifest.json}; the machine is removed afterwards. A disk with key material fails
 * the stage and its artifacts are removed (unless the build allows private keys).
 */
final class ExportStage {
  private final BuildContext ctx;

  ExportStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  List<Exporter.Artifact> export(StoppedMachine stopped) throws Exception {
    Machine machine = stopped.machine().machine();
    Path disk = machine.localDisk(0).orElse(null);
    if (disk == null) {
      disk = ctx.scratch("final.qcow2");
      machine.fetchDisk(0, disk);
    }
    var m = ctx.recipe.machine();
    Path out = ctx.settings.outputDirectory();
    PrivateKeyScan scan = new PrivateKeyScan();
    List<Exporter.Artifact> artifacts = Exporter.export(disk, ctx.recipe.outputs(), out,
        ctx.recipe.name(), ctx.recipe.os().toString(), m.cpus(), m.memoryMiB(), m.firmware(),
        ctx.settings.buildId(), ctx.events.handlers(), scan);
    ctx.keyScan = new BuildManifest.KeyScan(scan.scanned(), scan.findings().stream().map(f ->
        new BuildManifest.KeyFinding(f.offset(), f.header())).toList(), scan.embedded()
        .stream().map(f -> new BuildManifest.KeyFinding(f.offset(), f.header())).toList());
    if (!scan.findings().isEmpty()) {
      String where = scan.findings().stream().limit(3).map(f -> f.header() + " at disk offset "
          + f.offset()).collect(Collectors.joining(", "));
      if (!ctx.settings.allowPrivateKeys()) {
        for (Exporter.Artifact a : artifacts) {
          Files.deleteIfExists(a.file().file());
        }
        throw new KilnException("the exported disk holds private-key material (" + where
            + (scan.findings().size() > 3 ? ", …" : "") + "); the artifacts were removed. "
            + "Remove the key in a provisioning step, or allow it with --allow-private-keys");
      }
      ctx.events.warning("export.private-key", "the exported disk holds private-key material: "
          + where);
    }
    Exporter.writeChecksumFiles(out, artifacts);
    if (!ctx.inventory.isEmpty()) {
      ctx.sbom = SbomWriter.write(ctx, artifacts);
    }
    if (ctx.settings.signingKey().isPresent()) {
      ctx.provenance = ProvenanceWriter.write(ctx, artifacts, ctx.settings.signingKey().get());
    }
    ctx.artifacts = artifacts.stream().map(a -> new BuildManifest.Artifact(
        a.file().file().getFileName().toString(), a.spec().hypervisor().name(),
        a.spec().format().name(), a.spec().compression().name(), a.file().size(),
        a.file().checksums())).toList();
    stopped.machine().close();
    ManifestWriter.write(ctx.manifest(), out);
    ctx.exported = artifacts;
    return artifacts;
  }
}
