package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.api.Answers;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Recipe;
import dev.kiln.api.UserAccount;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.formats.initrd.InitrdInjector;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.kvm.KvmHypervisor;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.OsProfile.InstallPlan;
import dev.kiln.templates.Catalog;
import dev.kiln.templates.internal.PreseedRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Debian profile for real: d-i's kernel and initrd taken from a netinst-style ISO by Kiln's
 * reader, the preseed Kiln's catalog renders for debian-12 injected into the initrd, booted
 * with the catalog's kernel arguments. d-i announces on the serial console that it read the
 * preseed (its early_command), then stops at the udeb download (the mirror here has no udebs).
 */
@Tag("vm")
class DebianInstallerVmTest {
  static final Path DI = Path.of("/usr/lib/debian-installer/images/12/amd64/text/"
      + "debian-installer/amd64");
  Path dir;
  Path root;

  @BeforeEach
  void dirs() throws Exception {
    var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
        "rwxr-xr-x"));
    dir = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-di-", mode);
    root = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-di-root-", mode);
  }

  @AfterEach
  void cleanup() throws Exception {
    for (Path p : List.of(dir, root)) {
      new ProcessBuilder("rm", "-rf", p.toString()).start().waitFor();
    }
  }

  @Test
  void debianInstallerReadsKilnsPreseed() throws Exception {
    Catalog catalog = Catalog.builtIn();
    Recipe recipe = Recipe.builder(new OsSelection("debian", "12"), AnswersCommandIso.source())
        .answers(Answers.builder().addUser(new UserAccount("kiln", List.of(), Optional.empty(),
            true, List.of())).build()).build();
    InstallPlan plan = catalog.profile("debian").orElseThrow().plan(recipe);
    Path iso = dir.resolve("netinst.iso");
    IsoImageWriter.builder("Debian_12_amd64_n")
        .addFile(plan.kernelPathInIso(), DI.resolve("linux"))
        .addFile(plan.initrdPathInIso(), DI.resolve("initrd.gz")).writeTo(iso);
    Path kernel = dir.resolve("vmlinuz");
    Path initrd = dir.resolve("initrd.gz");
    try (IsoReader reader = IsoReader.open(iso)) {
      reader.extract(plan.kernelPathInIso(), kernel);
      reader.extract(plan.initrdPathInIso(), initrd);
    }
    Path injected = dir.resolve("initrd-kiln.gz");
    InitrdInjector.inject(initrd, plan.answerFiles(), injected);
    CountDownLatch loaded = new CountDownLatch(1);
    EventHandlers events = EventHandlers.builder().add(KilnEvent.ConsoleLine.class, l -> {
      if (l.line().contains(PreseedRenderer.LOADED_MARKER)) {
        loaded.countDown();
      }
    }).build();
    MachineSpec spec = MachineSpec.builder("kiln-vmtest-deb-" + Long.toHexString(
            System.nanoTime() & 0xffffff)).cpus(1).memoryMiB(1024)
        .accelerator(Accelerator.TCG).addCdrom(iso)
        .kernelBoot(new MachineSpec.KernelBoot(kernel, injected, plan.kernelArguments()))
        .label("build", "b-debian-preseed").build();
    try (KvmHypervisor kvm = KvmHypervisor.builder().workRoot(root).build();
        Machine machine = kvm.create(spec, events)) {
      machine.start();
      assertThat(loaded.await(5, TimeUnit.MINUTES))
          .as("d-i did not announce Kiln's preseed; " + machine.diagnostics()).isTrue();
      assertThat(machine.consoleTail(500)).anyMatch(l -> l.contains("Command line:")
          && l.contains("priority=critical"));
      machine.destroy();
    }
  }

  /** A placeholder source: the test hands the ISO to the machine itself. */
  static final class AnswersCommandIso {
    static dev.kiln.api.IsoSource source() {
      return new dev.kiln.api.IsoSource(new dev.kiln.api.RemoteFile(List.of(),
          Optional.of(Path.of("/isos/debian-12-netinst.iso")), Optional.empty(),
          Optional.empty()));
    }
  }
}
