package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.spi.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  /** The recipe's digests of an artifact (an OVA's writer computes all of them). */
  private Map<String, String> chosen(Map<String, String> all) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    ctx.recipe.checksums().forEach(a -> {
      if (all.containsKey(a.jcaName())) {
        out.put(a.jcaName(), all.get(a.jcaName()));
      }
    });
    return out;
  }

  /** What the disk must not hold: each secret named by what it is, with its value. */
  private java.util.Map<String, String> secrets() {
    java.util.Map<String, String> out = BuildContext.secrets(ctx.recipe);
    // the body's first line is the same in every unencrypted OpenSSH key; the third holds
    // this key's own bytes
    ctx.key().ifPresent(k -> k.privateKeyText().lines().skip(3).findFirst().filter(l -> !l
        .startsWith("-----")).ifPresent(body -> out.put("the build's SSH private key", body)));
    return out;
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
    java.util.Map<String, String> named = secrets();
    SecretScan secrets = new SecretScan(named);
    secrets.tooShort().forEach(what -> ctx.events.warning("export.secret-not-searched", what
        + " is shorter than " + SecretScan.MIN_LENGTH + " characters: the exported disk was "
        + "not searched for it"));
    List<Exporter.Artifact> artifacts = Exporter.export(disk, ctx.recipe.outputs(), out,
        ctx.recipe.name(), ctx.recipe.os().toString(), m.cpus(), m.memoryMiB(), m.firmware(),
        ctx.settings.buildId(), ctx.events.handlers(), new dev.kiln.formats.io
            .FanOutWriter(List.<dev.kiln.formats.DiskWriter>of(scan, secrets)),
        ctx.recipe.checksums().stream().map(dev.kiln.api.Checksum.Algorithm::jcaName)
            .collect(java.util.stream.Collectors.toSet()));
    ctx.secretScan = new BuildManifest.SecretScan(List.copyOf(named.keySet()),
        secrets.findings().stream().map(f -> new BuildManifest.SecretFinding(f.what(),
            f.offset())).toList());
    if (!secrets.findings().isEmpty()) {
      String where = secrets.findings().stream().limit(3).map(f -> f.what() + " at disk "
          + "offset " + f.offset()).collect(Collectors.joining(", "));
      if (!ctx.settings.allowPrivateKeys()) {
        for (Exporter.Artifact a : artifacts) {
          Files.deleteIfExists(a.file().file());
        }
        throw new KilnException("the exported disk holds " + where + (secrets.findings()
            .size() > 3 ? ", …" : "") + "; the artifacts were removed. A provisioning step or "
            + "a log kept it: remove it in a step (the offset is the disk's, e.g. for debugfs "
            + "icheck), or allow it with --allow-private-keys");
      }
      ctx.events.warning("export.secret", "the exported disk holds " + where);
    }
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
    if (ctx.hardening != null) {
      OpenScapScan.export(ctx.hardening, out);
    }
    if (!ctx.inventory.isEmpty()) {
      ctx.sbom = SbomWriter.write(ctx, artifacts);
    }
    if (ctx.settings.signingKey().isPresent()) {
      ctx.provenance = ProvenanceWriter.write(ctx, artifacts, ctx.settings.signingKey().get());
    }
    ctx.artifacts = artifacts.stream().map(a -> new BuildManifest.Artifact(
        a.file().file().getFileName().toString(), a.spec().hypervisor().name(),
        a.spec().format().name(), a.spec().compression().name(), a.file().size(),
        a.virtualSize(), chosen(a.file().checksums()))).toList();
    stopped.machine().close();
    ManifestWriter.write(ctx.manifest(), out);
    ctx.exported = artifacts;
    return artifacts;
  }
}
