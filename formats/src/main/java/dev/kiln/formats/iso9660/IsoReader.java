package dev.kiln.formats.iso9660;

import static dev.kiln.formats.iso9660.IsoBytes.SECTOR;

import dev.kiln.formats.io.AtomicFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads ISO 9660 images: volume labels, the directory tree with Rock Ridge or Joliet names when
 * present, file contents and the El Torito boot catalog. Built for untrusted images: every
 * extent is checked against the file, directory loops and excessive depth or entry counts stop
 * the walk, and names that could escape a directory ({@code ..}, slashes, NUL) are refused —
 * each with an {@link IsoException} naming the structure and its offset.
 */
public final class IsoReader implements Closeable {
  static final int MAX_DEPTH = 64;
  static final int MAX_ENTRIES = 1_000_000;
  static final long MAX_DIRECTORY_BYTES = 64L << 20;
  static final int MAX_DESCRIPTORS = 64;

  private final FileChannel ch;
  private final long fileSize;
  private final ByteBuffer primary;
  private final ByteBuffer joliet;
  private final long bootCatalogLba;
  private final boolean rockRidge;
  private final Map<String, IsoEntry> entries = new LinkedHashMap<>();

  private IsoReader(FileChannel ch) throws IOException {
    this.ch = ch;
    this.fileSize = ch.size();
    ByteBuffer pvd = null;
    ByteBuffer svd = null;
    long catalog = -1;
    for (int i = 0; i < MAX_DESCRIPTORS; i++) {
      long lba = 16 + i;
      ByteBuffer d = sector(lba, "volume descriptor");
      if (!ascii(d, 1, 5).equals("CD001")) {
        throw new IsoException("no volume descriptor signature", "standard identifier",
            lba * SECTOR + 1);
      }
      int type = Byte.toUnsignedInt(d.get(0));
      if (type == 255) {
        break;
      }
      if (type == 1 && pvd == null) {
        pvd = d;
      } else if (type == 2 && d.get(88) == '%' && d.get(89) == '/'
          && (d.get(90) == '@' || d.get(90) == 'C' || d.get(90) == 'E')) {
        svd = d;
      } else if (type == 0 && ascii(d, 7, 23).equals("EL TORITO SPECIFICATION")) {
        catalog = Integer.toUnsignedLong(d.order(ByteOrder.LITTLE_ENDIAN).getInt(71));
        d.order(ByteOrder.BIG_ENDIAN);
      }
      if (i == MAX_DESCRIPTORS - 1) {
        throw new IsoException("no volume descriptor set terminator", "descriptors",
            lba * SECTOR);
      }
    }
    if (pvd == null) {
      throw new IsoException("no primary volume descriptor", "descriptors", 16L * SECTOR);
    }
    long volumeSectors = IsoBytes.getBoth32(pvd, 80);
    if (volumeSectors < 0) {
      throw new IsoException("volume space size halves disagree", "volume space size",
          16L * SECTOR + 80);
    }
    if (IsoBytes.getBoth32(pvd, 80) >= 0 && Short.toUnsignedInt(
        pvd.order(ByteOrder.LITTLE_ENDIAN).getShort(128)) != SECTOR) {
      pvd.order(ByteOrder.BIG_ENDIAN);
      throw new IsoException("logical block size is not 2048", "logical block size",
          16L * SECTOR + 128);
    }
    pvd.order(ByteOrder.BIG_ENDIAN);
    this.primary = pvd;
    this.joliet = svd;
    this.bootCatalogLba = catalog;
    this.rockRidge = detectRockRidge();
    walk();
  }

  /** Opens and indexes {@code iso}. */
  public static IsoReader open(Path iso) throws IOException {
    FileChannel ch = FileChannel.open(iso, StandardOpenOption.READ);
    try {
      return new IsoReader(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The primary descriptor's volume identifier. */
  public String volumeId() {
    return ascii(primary, 40, 32).stripTrailing();
  }

  /** The Joliet descriptor's volume identifier (what blkid reports), if Joliet is present. */
  public Optional<String> jolietVolumeId() {
    if (joliet == null) {
      return Optional.empty();
    }
    byte[] raw = new byte[32];
    joliet.get(40, raw);
    return Optional.of(new String(raw, StandardCharsets.UTF_16BE).stripTrailing());
  }

  public boolean hasJoliet() {
    return joliet != null;
  }

  public boolean hasRockRidge() {
    return rockRidge;
  }

  /** Every entry, in directory order. */
  public List<IsoEntry> entries() {
    return List.copyOf(entries.values());
  }

  /** The entry at {@code path} (no leading slash needed). */
  public Optional<IsoEntry> find(String path) {
    String p = path.replaceAll("\\A/+", "").replaceAll("/+\\z", "");
    return Optional.ofNullable(entries.get(p));
  }

  /** The entries directly inside {@code dir} ("" for the root). */
  public List<IsoEntry> list(String dir) {
    String d = dir.replaceAll("\\A/+", "").replaceAll("/+\\z", "");
    List<IsoEntry> out = new ArrayList<>();
    for (IsoEntry e : entries.values()) {
      int slash = e.path().lastIndexOf('/');
      String parent = slash < 0 ? "" : e.path().substring(0, slash);
      if (parent.equals(d)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Copies the file at {@code path} to {@code destination} (atomically). */
  public void extract(String path, Path destination) throws IOException {
    IsoEntry e = find(path).orElseThrow(() -> new java.nio.file.NoSuchFileException(path));
    if (e.directory()) {
      throw new IOException(path + " is a directory");
    }
    try (AtomicFile out = AtomicFile.create(destination)) {
      long pos = 0;
      for (long[] extent : e.extents()) {
        long done = 0;
        while (done < extent[1]) {
          long n = ch.transferTo(extent[0] * SECTOR + done, extent[1] - done,
              out.channel().position(pos));
          if (n <= 0) {
            throw new IsoException("file data ends early", path, extent[0] * SECTOR + done);
          }
          done += n;
          pos += n;
        }
      }
      out.commit();
    }
  }

  /** Reads a whole (small) file into memory; refuses files over {@code limit} bytes. */
  public byte[] read(String path, int limit) throws IOException {
    IsoEntry e = find(path).orElseThrow(() -> new java.nio.file.NoSuchFileException(path));
    if (e.size() > limit) {
      throw new IOException(path + " is larger than " + limit + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) e.size());
    for (long[] extent : e.extents()) {
      ByteBuffer part = b.slice(b.position(), (int) extent[1]);
      readFully(part, extent[0] * SECTOR);
      b.position(b.position() + (int) extent[1]);
    }
    return b.array();
  }

  /** The El Torito boot entries, empty when the image is not bootable. */
  public List<BootEntry> bootEntries() throws IOException {
    List<BootEntry> out = new ArrayList<>();
    if (bootCatalogLba < 0) {
      return out;
    }
    ByteBuffer c = sector(bootCatalogLba, "boot catalog").order(ByteOrder.LITTLE_ENDIAN);
    if (c.get(0) != 1 || c.get(30) != 0x55 || c.get(31) != (byte) 0xAA) {
      throw new IsoException("boot catalog has no validation entry", "boot catalog",
          bootCatalogLba * SECTOR);
    }
    int sum = 0;
    for (int i = 0; i < 32; i += 2) {
      sum += Short.toUnsignedInt(c.getShort(i));
    }
    if ((sum & 0xFFFF) != 0) {
      throw new IsoException("boot catalog checksum is wrong", "validation entry",
          bootCatalogLba * SECTOR + 28);
    }
    int platform = Byte.toUnsignedInt(c.get(1));
    out.add(entry(c, 32, platform));
    for (int at = 64; at + 32 <= SECTOR; ) {
      int header = Byte.toUnsignedInt(c.get(at));
      if (header != 0x90 && header != 0x91) {
        break;
      }
      int sectionPlatform = Byte.toUnsignedInt(c.get(at + 1));
      int count = Short.toUnsignedInt(c.getShort(at + 2));
      at += 32;
      for (int i = 0; i < count && at + 32 <= SECTOR; i++, at += 32) {
        out.add(entry(c, at, sectionPlatform));
      }
      if (header == 0x91) {
        break;
      }
    }
    return out;
  }

  private BootEntry entry(ByteBuffer c, int at, int platform) throws IsoException {
    long lba = Integer.toUnsignedLong(c.getInt(at + 8));
    if (lba * SECTOR >= fileSize) {
      throw new IsoException("boot image at sector " + lba + " is past the end", "boot entry",
          bootCatalogLba * SECTOR + at);
    }
    return new BootEntry(platform, c.get(at) == (byte) 0x88, Byte.toUnsignedInt(c.get(at + 1)),
        Short.toUnsignedInt(c.getShort(at + 6)), lba);
  }

  // ---- walking ----------------------------------------------------------------------------

  private boolean detectRockRidge() throws IOException {
    ByteBuffer root = rootRecord(primary);
    long extent = IsoBytes.getBoth32(root, 2);
    if (extent < 0) {
      throw new IsoException("the root directory record's both-endian halves disagree",
          "root directory record", 16L * SECTOR + 156);
    }
    ByteBuffer dir = sector(extent, "root directory");
    int len = Byte.toUnsignedInt(dir.get(0));
    int nameLen = Byte.toUnsignedInt(dir.get(32));
    int su = 33 + nameLen + (nameLen % 2 == 0 ? 1 : 0);
    return len >= su + 7 && dir.get(su) == 'S' && dir.get(su + 1) == 'P'
        && dir.get(su + 4) == (byte) 0xBE && dir.get(su + 5) == (byte) 0xEF;
  }

  private static ByteBuffer rootRecord(ByteBuffer descriptor) {
    return descriptor.slice(156, 34);
  }

  private void walk() throws IOException {
    boolean useJoliet = !rockRidge && joliet != null;
    ByteBuffer root = rootRecord(useJoliet ? joliet : primary);
    long descriptorAt = (useJoliet ? joliet : primary) == primary ? 16L * SECTOR : -1;
    long extent = IsoBytes.getBoth32(root, 2);
    long size = IsoBytes.getBoth32(root, 10);
    if (extent < 0 || size < 0) {
      throw new IsoException("the root directory record's both-endian halves disagree",
          (useJoliet ? "Joliet" : "primary") + " root directory record", descriptorAt);
    }
    Set<Long> visited = new HashSet<>();
    walkDir(extent, size, "", useJoliet, 0, visited);
  }

  private void walkDir(long extent, long size, String path, boolean useJoliet, int depth,
      Set<Long> visited) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IsoException("directories nested deeper than " + MAX_DEPTH, path,
          extent * SECTOR);
    }
    if (!visited.add(extent)) {
      throw new IsoException("directory loop: " + (path.isEmpty() ? "/" : path)
          + " points back to an ancestor", path, extent * SECTOR);
    }
    if (size < 0 || size > MAX_DIRECTORY_BYTES || extent * SECTOR + size > fileSize) {
      throw new IsoException("directory extent of " + size + " bytes at sector " + extent
          + " is outside the image", path.isEmpty() ? "root directory" : path,
          extent * SECTOR);
    }
    ByteBuffer dir = ByteBuffer.allocate((int) size);
    readFully(dir, extent * SECTOR);
    dir.clear();
    List<long[]> pendingExtents = new ArrayList<>();
    int pos = 0;
    while (pos < size) {
      int len = Byte.toUnsignedInt(dir.get(pos));
      if (len == 0) { // rest of the sector is padding
        pos = (pos / SECTOR + 1) * SECTOR;
        continue;
      }
      long at = extent * SECTOR + pos;
      if (len < 34 || pos + len > size || (pos % SECTOR) + len > SECTOR) {
        throw new IsoException("directory record of length " + len + " does not fit",
            "directory record", at);
      }
      ByteBuffer rec = dir.slice(pos, len);
      pos += len;
      int nameLen = Byte.toUnsignedInt(rec.get(32));
      if (33 + nameLen > len) {
        throw new IsoException("file identifier longer than its record", "file identifier",
            at + 32);
      }
      if (nameLen == 1 && (rec.get(33) == 0 || rec.get(33) == 1)) {
        continue; // "." and ".."
      }
      int flags = Byte.toUnsignedInt(rec.get(25));
      long childExtent = IsoBytes.getBoth32(rec, 2);
      long childSize = IsoBytes.getBoth32(rec, 10);
      if (childExtent < 0 || childSize < 0) {
        throw new IsoException("both-endian fields disagree", "extent location", at + 2);
      }
      boolean isDir = (flags & 0x02) != 0;
      if (!isDir && childSize > 0 && childExtent * SECTOR + childSize > fileSize) {
        throw new IsoException("file extent past the end of the image", "extent location",
            at + 2);
      }
      String name;
      RockRidgeFields rr = rockRidge && !useJoliet ? RockRidgeFields.parse(rec, 33 + nameLen
          + (nameLen % 2 == 0 ? 1 : 0), this::sector, at) : null;
      if (rr != null && rr.name != null) {
        name = rr.name;
      } else if (useJoliet) {
        byte[] raw = new byte[nameLen];
        rec.get(33, raw);
        name = stripVersion(new String(raw, StandardCharsets.UTF_16BE));
      } else {
        name = stripVersion(ascii(rec, 33, nameLen));
      }
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
          || name.indexOf('\0') >= 0) {
        throw new IsoException("unsafe file name '" + name.replace("\0", "\\0")
            + "' (path traversal)", "file identifier", at + 33);
      }
      pendingExtents.add(new long[] {childExtent, childSize});
      if ((flags & 0x80) != 0) {
        continue; // multi-extent: more records of this file follow
      }
      String childPath = path.isEmpty() ? name : path + "/" + name;
      if (entries.size() >= MAX_ENTRIES) {
        throw new IsoException("more than " + MAX_ENTRIES + " entries", "directory", at);
      }
      long total = pendingExtents.stream().mapToLong(x -> x[1]).sum();
      entries.put(childPath, new IsoEntry(childPath, isDir, isDir ? 0 : total,
          isDir ? List.of() : pendingExtents, Optional.ofNullable(rr == null ? null
              : rr.linkTarget), rr == null ? 0 : rr.mode));
      pendingExtents = new ArrayList<>();
      if (isDir) {
        walkDir(childExtent, childSize, childPath, useJoliet, depth + 1, visited);
      }
    }
  }

  private static String stripVersion(String id) {
    int semicolon = id.indexOf(';');
    String s = semicolon >= 0 ? id.substring(0, semicolon) : id;
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  ByteBuffer sector(long lba, String what) throws IOException {
    if (lba < 0 || (lba + 1) * SECTOR > fileSize) {
      throw new IsoException(what + " at sector " + lba + " is past the end of the image",
          what, lba * SECTOR);
    }
    ByteBuffer b = ByteBuffer.allocate(SECTOR);
    readFully(b, lba * SECTOR);
    return b.clear();
  }

  private void readFully(ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        throw new IsoException("image truncated", "file", pos);
      }
      pos += n;
    }
  }

  private static String ascii(ByteBuffer b, int at, int len) {
    byte[] raw = new byte[len];
    b.get(at, raw);
    return new String(raw, StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
