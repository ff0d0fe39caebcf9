package dev.kiln.formats.initrd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Injection into Debian's real installer initrd, listed back with GNU cpio. */
@Tag("validator")
class InitrdInjectorTest {
  static final Path DI_INITRD = Path.of(
      "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/initrd.gz");

  @TempDir
  Path dir;

  static String sh(String script) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return out;
  }

  @Test
  void preseedIsAppendedAsASecondArchiveAndTheOriginalIsUntouched() throws Exception {
    Path out = dir.resolve("initrd.gz");
    byte[] preseed = "d-i debian-installer/locale string en_US\n".getBytes(
        StandardCharsets.UTF_8);
    long start = InitrdInjector.inject(DI_INITRD, Map.of("preseed.cfg", preseed,
        "kiln/marker.sh", "echo hi\n".getBytes(StandardCharsets.UTF_8)), out);
    assertThat(start % 4).isZero();
    long original = Files.size(DI_INITRD);
    assertThat(Files.mismatch(out, DI_INITRD)).isEqualTo(original); // a prefix, then more
    // the appended segment, decompressed on its own
    String appended = sh("tail -c +" + (start + 1) + " " + out + " | zcat | cpio -t 2>&1");
    assertThat(appended).contains("preseed.cfg", "kiln", "kiln/marker.sh");
    String content = sh("tail -c +" + (start + 1) + " " + out
        + " | zcat | cpio -i --to-stdout preseed.cfg 2>/dev/null");
    assertThat(content).isEqualTo(new String(preseed, StandardCharsets.UTF_8));
    // the first segment still lists d-i's own files
    assertThat(sh("head -c " + original + " " + out + " | zcat | cpio -t 2>/dev/null"))
        .contains("init", "sbin");
    // the kernel reads both segments as one stream: zcat of the whole file sees both archives
    assertThat(sh("zcat " + out + " | wc -c").trim()).isNotEmpty();
  }

  @Test
  void pathsThatEscapeTheRootAreRefused() {
    assertThatThrownBy(() -> InitrdInjector.inject(DI_INITRD, Map.of("../etc/passwd",
        new byte[1]), dir.resolve("x"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad path in initrd");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
