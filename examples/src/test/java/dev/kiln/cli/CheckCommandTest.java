package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln check --cloudstack} on Kiln's own outputs and on a qemu-img overlay. */
@Tag("validator")
class CheckCommandTest {
  @TempDir
  Path dir;

  @Test
  void kilnsOutputsPassAndAnOverlayIsRefusedWithItsRule() throws Exception {
    Path qcow2 = dev.kiln.cloudstack.TestImages.image(dir, "t.qcow2");
    Path vhd = dev.kiln.cloudstack.TestImages.image(dir, "t.vhd.bz2");
    Path ova = dev.kiln.cloudstack.TestImages.image(dir, "t.ova");
    CliTest.Run ok = CliTest.kiln("check", "--cloudstack", qcow2.toString(), vhd.toString(),
        ova.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("t.qcow2: CloudStack accepts it",
        "t.vhd.bz2: CloudStack accepts it", "t.ova: CloudStack accepts it");

    Path overlay = dir.resolve("overlay.qcow2");
    Process p = new ProcessBuilder("qemu-img", "create", "-f", "qcow2", "-b",
        qcow2.toString(), "-F", "qcow2", overlay.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    CliTest.Run bad = CliTest.kiln("check", "--cloudstack", overlay.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).startsWith("refused: overlay.qcow2: the qcow2 has a backing file")
        .contains("[Qcow2Inspector.validateAbsenceOfBackingFileReference]");
    assertThat(CliTest.kiln("check", overlay.toString()).exit()).isEqualTo(2);
    assertThat(Files.exists(overlay)).isTrue();
  }
}
