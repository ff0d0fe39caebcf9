package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.templates.Catalog;
import dev.kiln.templates.values.CatalogEntry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln list} and {@code kiln answers} for every catalog entry; the seed ISOs are read by
 * isoinfo and the initrd appendix by cpio, not by Kiln.
 */
@Tag("validator")
class CatalogCommandsTest {
  @TempDir Path dir;

  record Run(int exit, String out) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    int exit = KilnCli.commandLine(new PrintWriter(out, true), new PrintWriter(out, true))
        .execute(args);
    return new Run(exit, out.toString());
  }

  static String run(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void listShowsEveryEntry() {
    Run r = kiln("list");
    assertThat(r.exit()).isZero();
    for (CatalogEntry e : Catalog.builtIn().entries()) {
      assertThat(r.out()).contains(e.osId());
    }
    assertThat(r.out()).contains("autoinstall (cloud-init NoCloud)", "preseed (initrd)",
        "kickstart (OEMDRV)", "AutoYaST (OEMDRV)", "Agama profile (OEMDRV)",
        "needs activation-key", "needs regcode");
  }

  @Test
  void answersForEveryEntry() throws Exception {
    for (CatalogEntry e : Catalog.builtIn().entries()) {
      Path out = dir.resolve(e.osId());
      Run r = kiln("answers", e.osId(), "--out", out.toString());
      assertThat(r.exit()).as(r.out()).isZero();
      String cmdline = Files.readString(out.resolve("kernel-cmdline.txt"));
      assertThat(cmdline).contains("kernel: " + e.iso().kernel(), "console=ttyS0");
      switch (e.installer()) {
        case DEBIAN_INSTALLER -> assertThat(run("gzip -dc " + out.resolve(
            "initrd-append.cpio.gz") + " | cpio -it 2>/dev/null")).contains("preseed.cfg");
        case SUBIQUITY -> {
          String iso = out.resolve("seed-cidata.iso").toString();
          assertThat(run("isoinfo -d -i " + iso)).contains("Volume id: CIDATA");
          assertThat(run("isoinfo -J -f -i " + iso)).contains("/user-data", "/meta-data");
        }
        default -> {
          String iso = out.resolve("seed-oemdrv.iso").toString();
          assertThat(run("isoinfo -d -i " + iso)).contains("Volume id: OEMDRV");
          String file = switch (e.installer()) {
            case ANACONDA -> "/ks.cfg";
            case AUTOYAST -> "/autoinst.xml";
            default -> "/autoinst.json";
          };
          assertThat(run("isoinfo -J -f -i " + iso)).contains(file);
        }
      }
    }
  }

  @Test
  void answersFromARecipeAndClearErrors() throws Exception {
    Path recipe = dir.resolve("r.yaml");
    Files.writeString(recipe, String.join("\n", "name: t", "os: {id: ubuntu, version: \"24.04\"}",
        "source: {iso: {path: /isos/u.iso}}", "answers:", "  users:", "    - name: ops",
        "      sudo: true", "      sshKeys: [\"ssh-ed25519 AAAAC3Nza ops@x\"]",
        "  timezone: Europe/Berlin", ""));
    Run r = kiln("answers", "--recipe", recipe.toString(), "--out", dir.resolve("u")
        .toString());
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(Files.readString(dir.resolve("u/user-data"))).contains("ops@x",
        "Europe/Berlin");
    Run bad = kiln("answers", "windows-11", "--out", dir.resolve("w").toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("no OS 'windows-11'");
    assertThat(List.of(dir.toFile().list())).doesNotContain("w");
  }
}
