package dev.kiln.core.internal.pipeline;

import dev.kiln.spi.Machine;
import java.nio.file.Path;
import java.util.List;

/**
 * Export: every output in one read of the machine's disk (in place when the machine is on this
 * host, else fetched), the checksum files and {@code manifest.json}; the machine is removed
 * afterwards.
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
    List<Exporter.Artifact> artifacts = Exporter.export(disk, ctx.recipe.outputs(), out,
        ctx.recipe.name(), ctx.recipe.os().toString(), m.cpus(), m.memoryMiB(), m.firmware(),
        ctx.settings.buildId(), ctx.events.handlers());
    Exporter.writeChecksumFiles(out, artifacts);
    ctx.artifacts = artifacts.stream().map(a -> new BuildManifest.Artifact(
        a.file().file().getFileName().toString(), a.spec().hypervisor().name(),
        a.spec().format().name(), a.spec().compression().name(), a.file().size(),
        a.file().checksums())).toList();
    stopped.machine().close();
    ManifestWriter.write(ctx.manifest(), out);
    return artifacts;
  }
}
