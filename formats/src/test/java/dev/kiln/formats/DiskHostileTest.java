package dev.kiln.formats;

import dev.kiln.formats.registry.FormatRegistry;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * VHD, VHDX and VMDK files made by qemu-img and qemu-io, mutated as issue 22's campaign did:
 * shared tables and blocks (work amplification), counts that flood a checker, offsets whose sum
 * overflows, metadata items that end past their region.
 */
class DiskHostileTest {
  @TempDir
  Path dir;

  private static void quickly(org.junit.jupiter.api.function.Executable e) {
    assertTimeoutPreemptively(Duration.ofSeconds(60), e);
  }

  // ---- VHD --------------------------------------------------------------------------------

  /** qemu's dynamic VHD: footer copy at 0, dynamic header at 512, BAT at 1536. */
  private Mutant vhd(String size) throws Exception {
    return Mutant.qemuImg(dir.resolve("d.vhd"), "vpc", "subformat=dynamic", size)
        .qemuWrite("vpc", 0, 1 << 20, 0x5a);
  }

  /** Sets a dynamic header field and its checksum, so only the field is wrong. */
  private static void patchDynamicHeader(Mutant m, int field, byte[] value) throws Exception {
    m.put(512 + field, value);
    byte[] h = m.read(512, 1024);
    int sum = 0;
    for (int i = 0; i < 1024; i++) {
      if (i < 36 || i >= 40) {
        sum += Byte.toUnsignedInt(h[i]);
      }
    }
    m.putInt(512 + 36, ~sum, BIG_ENDIAN);
  }

  @Test
  void vhdWithAMillionTableEntriesGivesAShortReport() throws Exception {
    Mutant m = vhd("64M");
    // room for a 4 MiB BAT before the footer, so the table lies inside the file
    byte[] all = m.bytes();
    byte[] footer = java.util.Arrays.copyOfRange(all, all.length - 512, all.length);
    try (RandomAccessFile f = new RandomAccessFile(m.path().toFile(), "rw")) {
      f.setLength(all.length - 512 + (5L << 20));
      f.seek(f.length());
      f.write(footer);
    }
    patchDynamicHeader(m, 28, ByteBuffer.allocate(4).putInt(0x100000).array());
    quickly(() -> {
      ImageReport r = FormatRegistry.standard().inspect(m.path());
      assertThat(r.sound()).isFalse();
      assertThat(r.problems()).hasSizeLessThanOrEqualTo(ProblemList.MAX + 1);
    });
  }

  @Test
  void vhdTableOffsetWhoseSumOverflowsIsRefused() throws Exception {
    Mutant m = vhd("64M");
    patchDynamicHeader(m, 16, ByteBuffer.allocate(8).putLong(0x7fffffffffffff00L).array());
    quickly(() -> assertThatThrownBy(() -> FormatRegistry.standard().open(m.path()).close())
        .isInstanceOf(FormatException.class).hasMessageContaining("table_offset"));
  }

  @Test
  void vhdBatEntriesOnOneBlockAreRefused() throws Exception {
    Mutant m = vhd("1G");
    int first = m.getInt(1536, BIG_ENDIAN);
    assertThat(first).isNotEqualTo(-1);
    for (int i = 1; i < 512; i++) {
      m.putInt(1536 + 4L * i, first, BIG_ENDIAN);
    }
    quickly(() -> assertThatThrownBy(() -> {
      try (DiskImage d = FormatRegistry.standard().open(m.path())) {
        d.dataExtents();
      }
    }).isInstanceOf(FormatException.class).hasMessageContaining("overlaps another block"));
  }

  // ---- VHDX -------------------------------------------------------------------------------

  private Mutant vhdx() throws Exception {
    return Mutant.qemuImg(dir.resolve("v.vhdx"), "vhdx", "block_size=1M", "1G")
        .qemuWrite("vhdx", 0, 1 << 20, 0x77);
  }

  /** Region table entry offsets (0: BAT, 1: metadata) as qemu lays them out. */
  private static long regionEntry(Mutant m, boolean bat) throws Exception {
    long table = 192 << 10;
    int count = m.getInt(table + 8, LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      long e = table + 16 + 32L * i;
      boolean isBat = m.getInt(e, LITTLE_ENDIAN) == 0x2DC27766;
      if (isBat == bat) {
        return e;
      }
    }
    throw new AssertionError("no region");
  }

  /** Rewrites both region tables' CRC-32C after a change to the first. */
  private static void fixRegionCrc(Mutant m) throws Exception {
    long table = 192 << 10;
    byte[] t = m.read(table, 64 << 10);
    ByteBuffer.wrap(t).order(LITTLE_ENDIAN).putInt(4, 0);
    CRC32C crc = new CRC32C();
    crc.update(t);
    m.putInt(table + 4, (int) crc.getValue(), LITTLE_ENDIAN);
    m.put(256 << 10, m.read(table, 64 << 10));
  }

  @Test
  void vhdxBatEntriesOnOneBlockAreRefused() throws Exception {
    Mutant m = vhdx();
    long bat = m.getLong(regionEntry(m, true) + 16, LITTLE_ENDIAN);
    long first = m.getLong(bat, LITTLE_ENDIAN);
    assertThat(first & 7).as("qemu allocated block 0").isEqualTo(6);
    for (int i = 1; i < 1024; i++) {
      m.putLong(bat + 8L * i, first, LITTLE_ENDIAN);
    }
    quickly(() -> {
      assertThatThrownBy(() -> FormatRegistry.standard().open(m.path()).close())
          .isInstanceOf(FormatException.class).hasMessageContaining("another block's");
      assertThat(FormatRegistry.standard().inspect(m.path()).sound()).isFalse();
    });
  }

  @Test
  void vhdxMetadataItemAtTheRegionEndIsRefused() throws Exception {
    Mutant m = vhdx();
    long regionEntry = regionEntry(m, false);
    long meta = m.getLong(regionEntry + 16, LITTLE_ENDIAN);
    int metaLen = m.getInt(regionEntry + 24, LITTLE_ENDIAN);
    for (int i = 0; i < 5; i++) { // every item's offset at the region's end, length 0
      m.putInt(meta + 32 + 32L * i + 16, metaLen, LITTLE_ENDIAN);
      m.putInt(meta + 32 + 32L * i + 20, 0, LITTLE_ENDIAN);
    }
    quickly(() -> assertThatThrownBy(() -> FormatRegistry.standard().open(m.path()).close())
        .isInstanceOf(FormatException.class).hasMessageContaining("metadata entry"));
  }

  @Test
  void vhdxMetadataRegionShorterThanItsTableIsRefused() throws Exception {
    Mutant m = vhdx();
    m.putInt(regionEntry(m, false) + 24, 4, LITTLE_ENDIAN);
    fixRegionCrc(m);
    quickly(() -> assertThatThrownBy(() -> FormatRegistry.standard().open(m.path()).close())
        .isInstanceOf(FormatException.class).hasMessageContaining("metadata region length"));
  }

  // ---- VMDK -------------------------------------------------------------------------------

  @Test
  void vmdkGrainTablesAllOnOneGrainAreRefused() throws Exception {
    Mutant m = Mutant.qemuImg(dir.resolve("s.vmdk"), "vmdk", "", "8G")
        .qemuWrite("vmdk", 0, 65536, 0x33);
    long gd = m.getLong(56, LITTLE_ENDIAN) * 512;
    long gt = Integer.toUnsignedLong(m.getInt(gd, LITTLE_ENDIAN)) * 512;
    int grain = m.getInt(gt, LITTLE_ENDIAN);
    assertThat(grain).as("qemu allocated grain 0").isNotZero();
    for (int i = 1; i < 512; i++) { // every grain of table 0 on grain 0
      m.putInt(gt + 4L * i, grain, LITTLE_ENDIAN);
    }
    int gdEntries = (int) ((8L << 30) / (65536L * 512));
    int firstGde = m.getInt(gd, LITTLE_ENDIAN);
    for (int i = 1; i < gdEntries; i++) { // and every table is table 0
      m.putInt(gd + 4L * i, firstGde, LITTLE_ENDIAN);
    }
    quickly(() -> {
      ImageReport r = FormatRegistry.standard().inspect(m.path());
      assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains(
          "referenced more than once"));
      assertThatThrownBy(() -> {
        try (DiskImage d = FormatRegistry.standard().open(m.path())) {
          d.dataExtents();
        }
      }).isInstanceOf(FormatException.class);
    });
  }

  @Test
  void mutantsLeaveNoTemporaryFiles() throws Exception {
    try (var files = Files.list(dir)) {
      assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".partial"));
    }
  }
}
