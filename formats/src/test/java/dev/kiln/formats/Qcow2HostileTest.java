package dev.kiln.formats;

import dev.kiln.formats.qcow2.Qcow2Image;
import dev.kiln.formats.registry.FormatRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * qcow2 images made by qemu-img and qemu-io, then mutated as issue 22's fuzzing campaign did:
 * each mutation used to exhaust memory, run for hours, or escape as an untyped exception, and
 * must now give a {@link FormatException} (or a sound report) quickly.
 */
class Qcow2HostileTest {
  @TempDir
  Path dir;

  private Mutant image(String name, String size) throws Exception {
    return Mutant.qemuImg(dir.resolve(name), "qcow2", "", size).qemuWrite("qcow2", 0, 65536,
        0xab);
  }

  private Mutant overlay() throws Exception {
    Mutant.qemuImg(dir.resolve("base.raw"), "raw", "", "4M");
    return Mutant.qemuImg(dir.resolve("overlay.qcow2"), "qcow2",
        "backing_file=base.raw,backing_fmt=raw", "4M");
  }

  /** Opening, reading every extent and inspecting all end in a typed error or a report. */
  private static String typedFailure(Path file) {
    return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      ImageReport report = FormatRegistry.standard().inspect(file);
      assertThat(report.sound()).as("report of a mutant: %s", report).isFalse();
      try (DiskImage image = FormatRegistry.standard().openWithBacking(file)) {
        image.dataExtents();
      } catch (FormatException expected) {
        return expected.getMessage();
      }
      return String.join("; ", report.problems());
    });
  }

  @ParameterizedTest(name = "refcount_table_clusters = {0}")
  @ValueSource(ints = {0x80000000, 0xffffffff, 0x7fffffff})
  void refcountTableClustersThatAreNegativeOrHugeAreRefused(int clusters) throws Exception {
    Mutant m = image("rt.qcow2", "64M").putInt(56, clusters, BIG_ENDIAN);
    assertThat(typedFailure(m.path())).contains("refcount_table_clusters");
  }

  @Test
  void negativeRefcountTableOffsetIsRefused() throws Exception {
    Mutant m = image("rto.qcow2", "64M").putLong(48, -65536L, BIG_ENDIAN);
    assertThat(typedFailure(m.path())).contains("refcount_table_offset");
  }

  @ParameterizedTest(name = "header_length = {0}")
  @ValueSource(ints = {0x80000000, -8, 12, 113})
  void badHeaderLengthIsRefused(int length) throws Exception {
    Mutant m = image("hl.qcow2", "64M").putInt(100, length, BIG_ENDIAN);
    assertThat(typedFailure(m.path())).contains("header_length");
  }

  @Test
  void backingFormatExtensionWithAHugeLengthIsRefused() throws Exception {
    Mutant m = overlay();
    int headerLength = m.getInt(100, BIG_ENDIAN);
    assertThat(m.getInt(headerLength, BIG_ENDIAN)).as("qemu wrote the backing format "
        + "extension first").isEqualTo(0xE2792ACA);
    m.putInt(headerLength + 4, 0x7ffffff8, BIG_ENDIAN);
    assertThatThrownBy(() -> Qcow2Image.openChain(m.path()).close())
        .isInstanceOf(FormatException.class).hasMessageContaining("header extension length");
  }

  @Test
  void negativeBackingFileOffsetIsRefused() throws Exception {
    Mutant m = overlay().putLong(8, -16L, BIG_ENDIAN);
    assertThatThrownBy(() -> Qcow2Image.openChain(m.path()).close())
        .isInstanceOf(FormatException.class).hasMessageContaining("backing_file_offset");
  }

  @Test
  void nulInTheBackingFileNameIsRefused() throws Exception {
    Mutant m = overlay();
    long nameAt = m.getLong(8, BIG_ENDIAN);
    m.put(nameAt + 2, new byte[] {0});
    assertThatThrownBy(() -> Qcow2Image.openChain(m.path()).close())
        .isInstanceOf(FormatException.class).hasMessageContaining("not a usable path");
  }

  /**
   * One L2 table under all 8192 L1 entries of a 4 TiB disk: 33.5 million extents once, out of
   * memory; now the second reference to the table is refused at once.
   */
  @Test
  void oneL2TableSharedByEveryL1EntryIsRefusedQuickly() throws Exception {
    Mutant m = image("shared-l2.qcow2", "4T");
    long l1 = m.getLong(40, BIG_ENDIAN);
    int entries = m.getInt(36, BIG_ENDIAN);
    assertThat(entries).isEqualTo(8192);
    long first = m.getLong(l1, BIG_ENDIAN);
    assertThat(first).isNotZero();
    for (int i = 1; i < entries; i++) {
      m.putLong(l1 + 8L * i, first, BIG_ENDIAN);
    }
    String failure = typedFailure(m.path());
    assertThat(failure).contains("referenced more than once");
    assertThat(FormatRegistry.standard().inspect(m.path()).problems()).hasSizeLessThanOrEqualTo(101);
  }

  /** qemu packs sub-byte refcounts from the least significant bit; Kiln used to read MSB first. */
  @ParameterizedTest(name = "refcount_bits={0}")
  @ValueSource(ints = {1, 2, 4, 8, 16, 32, 64})
  void refcountsOfEveryWidthReadAsQemuWritesThem(int bits) throws Exception {
    Path p = dir.resolve("rc" + bits + ".qcow2");
    Mutant.qemuImg(p, "qcow2", "refcount_bits=" + bits, "64M")
        .qemuWrite("qcow2", 0, 3 << 16, 0x11).qemuWrite("qcow2", 10 << 20, 1 << 20, 0x22);
    Tools.Result check = Tools.run("qemu-img", "check", p.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    ImageReport report = FormatRegistry.standard().inspect(p);
    assertThat(report.problems()).as("refcount_bits=%d", bits).isEmpty();
  }
}
