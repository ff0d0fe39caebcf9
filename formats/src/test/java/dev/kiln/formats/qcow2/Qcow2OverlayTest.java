package dev.kiln.formats.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.formats.Tools;
import dev.kiln.formats.UnsupportedFeatureException;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overlays judged by qemu-img: no errors or leaks, the backing file recorded, same content. */
@Tag("validator")
class Qcow2OverlayTest {
  @TempDir Path dir;

  @Test
  void qemuReadsTheOverlayAsItsBase() throws Exception {
    Path base = dir.resolve("base.raw");
    try (RandomAccessFile f = new RandomAccessFile(base.toFile(), "rw")) {
      f.setLength(3L << 30); // 3 GiB: six L1 entries
      byte[] data = new byte[1 << 20];
      new Random(7).nextBytes(data);
      f.seek(0);
      f.write(data);
      f.seek((2L << 30) + 12345);
      f.write(data);
    }
    Path overlay = dir.resolve("overlay.qcow2");
    Qcow2Overlay.create(overlay, base.toString(), "raw", Files.size(base));

    Tools.Result check = Tools.run("qemu-img", "check", overlay.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("No errors were found");
    Tools.Result info = Tools.run("qemu-img", "info", "--output=json", overlay.toString());
    assertThat(info.output()).contains("\"backing-filename\": \"" + base + "\"",
        "\"backing-filename-format\": \"raw\"", "\"virtual-size\": " + (3L << 30));
    Tools.Result compare = Tools.run("qemu-img", "compare", "-f", "qcow2", "-F", "raw",
        overlay.toString(), base.toString());
    assertThat(compare.exit()).as(compare.output()).isZero();
    // Kiln's own reader refuses backing files with a typed error rather than reading zeros
    assertThatThrownBy(() -> FormatRegistry.standard().open(overlay))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("base.raw", "overlay.qcow2");
  }

  @Test
  void anOverlayWrittenByQemuRebasesOntoAnotherCopyOfItsBase() throws Exception {
    // the remote-host case: QEMU wrote the overlay over the host's copy of the base; the
    // overlay comes back and must read through this machine's identical copy
    Path hostCopy = dir.resolve("host-copy-of-the-base-with-a-long-name.raw");
    try (RandomAccessFile f = new RandomAccessFile(hostCopy.toFile(), "rw")) {
      f.setLength(64L << 20);
      byte[] data = new byte[1 << 20];
      new Random(3).nextBytes(data);
      f.write(data);
    }
    Path overlay = dir.resolve("overlay.qcow2");
    Qcow2Overlay.create(overlay, hostCopy.toString(), "raw", Files.size(hostCopy));
    Tools.Result write = Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 4M 1M",
        overlay.toString());
    assertThat(write.exit()).as(write.output()).isZero();
    Path local = dir.resolve("b.raw"); // shorter than the old name: the rest is cleared
    Files.copy(hostCopy, local);
    Files.delete(hostCopy);
    Qcow2Overlay.rebase(overlay, local.toString());
    Tools.Result info = Tools.run("qemu-img", "info", "--output=json", overlay.toString());
    assertThat(info.output()).contains("\"backing-filename\": \"" + local + "\"");
    Tools.Result check = Tools.run("qemu-img", "check", overlay.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    Tools.Result read = Tools.run("qemu-io", "-f", "qcow2", "-c", "read -P 0x5a 4M 1M",
        overlay.toString());
    assertThat(read.output()).doesNotContain("Pattern verification failed");
    assertThat(read.exit()).as(read.output()).isZero();
    try (var image = FormatRegistry.standard().openWithBacking(overlay)) {
      byte[] first = new byte[16];
      image.read(0, java.nio.ByteBuffer.wrap(first));
      byte[] expected = new byte[16];
      new Random(3).nextBytes(expected);
      assertThat(first).isEqualTo(java.util.Arrays.copyOf(expected, 16));
    }
  }

  @Test
  void refusesNamesAndFormatsThatCannotBeStored() {
    Path overlay = dir.resolve("bad.qcow2");
    assertThatThrownBy(() -> Qcow2Overlay.create(overlay, "x".repeat(1024), "raw", 1 << 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1023");
    assertThatThrownBy(() -> Qcow2Overlay.create(overlay, "/b", "raw\0x", 1 << 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backing format");
    assertThat(overlay).doesNotExist();
  }

  @Test
  void backingChainsReadAsQemuReadsThem() throws Exception {
    Path base = dir.resolve("base.raw");
    try (RandomAccessFile f = new RandomAccessFile(base.toFile(), "rw")) {
      f.setLength(256L << 20);
      byte[] data = new byte[3 << 20];
      new Random(9).nextBytes(data);
      f.seek(1 << 20);
      f.write(data);
      f.seek(200L << 20);
      f.write(data);
    }
    Path mid = dir.resolve("mid.qcow2");
    Qcow2Overlay.create(mid, base.toString(), "raw", Files.size(base));
    // qemu writes into the overlays: new data, data over the base's, and zeroes over the base
    assertThat(Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 2M 512k", "-c",
        "write -z 201M 1M", "-c", "write -P 0x11 100M 64k", mid.toString()).exit()).isZero();
    Path top = dir.resolve("top.qcow2");
    Qcow2Overlay.create(top, mid.toString(), "qcow2", Files.size(base));
    assertThat(Tools.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x77 2304k 64k",
        top.toString()).exit()).isZero();
    Path flat = dir.resolve("flat.raw");
    try (dev.kiln.formats.DiskImage chain = FormatRegistry.standard().openWithBacking(top);
        dev.kiln.formats.DiskWriter out = dev.kiln.formats.raw.RawWriter.create(flat,
            chain.virtualSize())) {
      assertThat(chain.dataExtents()).isNotEmpty();
      dev.kiln.formats.io.Converter.convert(chain, out, n -> { });
    }
    Tools.Result compare = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
        flat.toString(), top.toString());
    assertThat(compare.exit()).as(compare.output()).isZero();
    // without asking for the chain, a backing file is still refused
    assertThatThrownBy(() -> FormatRegistry.standard().open(top)).isInstanceOf(
        UnsupportedFeatureException.class);
  }
}
