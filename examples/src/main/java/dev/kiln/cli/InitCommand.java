package dev.kiln.cli;

import dev.kiln.templates.Catalog;
import dev.kiln.templates.values.CatalogEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln init OS-ID}: a commented starter recipe that validates. */
@Command(name = "init", description = {"Write a commented starter recipe for an OS of the "
    + "catalog (kiln list): its source (the vendor's cloud image, else its installer ISO, for "
    + "Debian the package mirror), a machine, one qcow2 output and a first test; every other "
    + "section is there as a comment. The file validates as written, except that an OS whose "
    + "ISO cannot be downloaded (RHEL, SLES) needs your copy next to it."})
final class InitCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OS-ID", description = "e.g. debian-12, ubuntu-24.04.")
  String osId;

  @Option(names = "--out", paramLabel = "FILE", description = "Where to write it (default: "
      + "OS-ID.yaml here).")
  Path out;

  @Option(names = "--force", description = "Replace FILE if it exists.")
  boolean force;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    Catalog catalog = Catalog.builtIn();
    Optional<CatalogEntry> entry = catalog.entry(osId);
    if (entry.isEmpty()) {
      err.println("kiln init: " + KilnCli.unknownOsId(osId));
      return KilnCli.EXIT_INVALID;
    }
    Path file = out != null ? out : Path.of(osId + ".yaml");
    if (Files.exists(file) && !force) {
      err.println("kiln init: " + file + " exists; use --force to replace it");
      return KilnCli.EXIT_INVALID;
    }
    try {
      Path tmp = file.toAbsolutePath().resolveSibling(file.getFileName() + ".partial");
      Files.writeString(tmp, render(entry.get()), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      err.println("kiln init: " + IoErrors.sentence(e));
      return KilnCli.EXIT_INVALID;
    }
    spec.commandLine().getOut().println(file + ": starter recipe for " + entry.get().name()
        + "; check it with: kiln recipe validate " + file);
    return 0;
  }

  static String render(CatalogEntry e) {
    List<String> y = new ArrayList<>();
    y.add("# Starter recipe for " + e.name() + ", written by `kiln init " + e.osId() + "`.");
    y.add("# docs/recipes.md explains every key; `kiln recipe validate` checks the file.");
    y.add("name: " + e.osId() + "-template");
    y.add("os:");
    y.add("  id: " + e.id());
    y.add("  version: \"" + e.version() + "\"");
    y.add("source:");
    if (e.id().equals("debian")) {
      y.add("  # built from Debian's package mirror: no image to download");
      y.add("  debootstrap:");
      y.add("    suite: " + (e.version().equals("12") ? "bookworm" : "trixie"));
      y.add("    mirror: http://deb.debian.org/debian");
    } else if (e.cloudImage().isPresent()) {
      y.add("  # the vendor's cloud image, checked against the vendor's checksums file");
      y.add("  cloudImage:");
      y.add("    urls: [" + e.cloudImage().get().url() + "]");
      y.add("    checksumFile: " + e.cloudImage().get().checksums());
    } else if (!e.iso().localOnly()) {
      y.add("  # the installer ISO; Kiln writes the answer file onto seed media itself");
      y.add("  iso:");
      y.add("    urls: [" + e.iso().urls().get(0) + "]");
      e.iso().checksums().ifPresent(c -> y.add("    checksumFile: " + c));
    } else {
      y.add("  # " + e.name() + "'s ISO is not downloadable: give your copy and its checksum");
      y.add("  iso:");
      y.add("    path: " + e.iso().file().orElse("installer.iso"));
      y.add("    checksum: sha256:" + "0".repeat(64) + "  # replace with your ISO's");
    }
    e.registration().ifPresent(kind -> {
      boolean rhel = kind.equals("activation-key");
      y.add("answers:");
      y.add("  # the vendor's repositories need a registration before packages install");
      y.add("  registration:");
      y.add("    organization: " + (rhel ? "\"1234567\"  # your organization id"
          : "you@example.com  # your SUSE Customer Center e-mail"));
      y.add("    key: {env: " + (rhel ? "RHSM_ACTIVATION_KEY" : "SCC_REGCODE") + "}  # your "
          + kind);
    });
    y.add("machine:");
    y.add("  cpus: 2");
    y.add("  memory: 2GiB");
    y.add("  diskSize: 8GiB");
    y.add("  accelerator: auto  # KVM when this host can run it, else TCG (much slower)");
    y.add("# provision:");
    y.add("#   - packages: {install: [curl], upgrade: true}");
    y.add("#   - shell: echo 'built by Kiln' > /etc/motd");
    y.add("#   - upload: {source: files/app.conf, destination: /etc/app.conf}");
    y.add("# pending security updates: recorded with their CVE ids, or installed");
    y.add("security:");
    y.add("  updates: report  # apply: install them during provisioning");
    y.add("  # maxPending: 0  # more pending security updates fail the build");
    y.add("outputs:");
    y.add("  - hypervisor: kvm");
    y.add("    format: qcow2");
    y.add("  # - {hypervisor: xenserver, format: vhd, compression: bz2}");
    y.add("  # - {hypervisor: vmware, format: ova}");
    y.add("tests:");
    y.add("  - name: cloud-init finished without errors");
    y.add("    run: cloud-init status");
    y.add("    outputMatches: \"status: done\"");
    return String.join("\n", y) + "\n";
  }
}
