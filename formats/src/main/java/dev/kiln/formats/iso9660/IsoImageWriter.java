package dev.kiln.formats.iso9660;

import static dev.kiln.formats.iso9660.IsoBytes.SECTOR;

import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.iso9660.IsoNode.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Writes ISO 9660 images (ECMA-119) with Joliet (UCS-2 level 3) and Rock Ridge (RRIP 1.10)
 * names, both-endian path tables, the volume label in the primary and the Joliet descriptor,
 * and optionally El Torito boot entries: a BIOS no-emulation image (with boot-info-table, as
 * isolinux needs) and a UEFI image. Output is deterministic for a pinned timestamp, and appears
 * under its name only when whole.
 *
 * <p>Layout: system area (16 sectors), primary descriptor, boot record, Joliet descriptor,
 * terminator, the four path tables, the Rock Ridge continuation sector, the boot catalog,
 * primary directories, Joliet directories, file data.
 */
public final class IsoImageWriter {
  /**
   * Largest extent: a directory record's 32-bit length, rounded down to a whole sector. Larger
   * files get several records (multi-extent, ECMA-119 9.1.6 bit 7) over contiguous extents.
   */
  static final long MAX_EXTENT = 0xFFFFF800L;
  /** Largest file: ISO 9660 images stay below 8 TiB of sectors addressed by 32 bits. */
  public static final long MAX_FILE_SIZE = 1L << 40;

  private final Builder b;
  private final IsoNode root;
  private final List<IsoNode> primaryDirs = new ArrayList<>();
  private final List<IsoNode> jolietDirs = new ArrayList<>();
  private long pathTableSize;
  private long jolietPathTableSize;
  private long lbaLPath;
  private long lbaMPath;
  private long lbaJolietLPath;
  private long lbaJolietMPath;
  private long lbaContinuation;
  private long lbaCatalog;
  private long totalSectors;
  private final byte[] er = RockRidge.er();

  private IsoImageWriter(Builder b) {
    this.b = b;
    this.root = b.root;
  }

  /** Starts an image whose volume label (primary and Joliet) is {@code volumeId}. */
  public static Builder builder(String volumeId) {
    return new Builder(volumeId);
  }

  /** Collects the image's content and options; {@link #writeTo} writes it. */
  public static final class Builder {
    private final String volumeId;
    private final IsoNode root = new IsoNode(Kind.DIRECTORY, "", null, 040555);
    private boolean joliet = true;
    private boolean rockRidge = true;
    private Instant timestamp = Instant.now();
    private String systemId = "LINUX";
    private String publisher = "";
    private String applicationId = "KILN";
    private String biosBootImage;
    private int biosLoadSectors = 4;
    private boolean bootInfoTable = true;
    private String efiBootImage;
    private String catalogPath = "boot.catalog";

    private Builder(String volumeId) {
      if (!volumeId.matches("[A-Za-z0-9_.-]{1,32}")) {
        throw new IllegalArgumentException("volume label must be 1-32 of A-Z, a-z, 0-9, _ . -");
      }
      this.volumeId = volumeId;
    }

    public Builder joliet(boolean on) {
      this.joliet = on;
      return this;
    }

    public Builder rockRidge(boolean on) {
      this.rockRidge = on;
      return this;
    }

    /** Every date in the image; pin it for byte-identical output. */
    public Builder timestamp(Instant t) {
      this.timestamp = Objects.requireNonNull(t);
      return this;
    }

    public Builder applicationId(String id) {
      this.applicationId = id;
      return this;
    }

    public Builder publisher(String publisher) {
      this.publisher = publisher;
      return this;
    }

    /** Adds a file read from {@code source} at write time. */
    public Builder addFile(String path, Path source) throws IOException {
      long size = Files.size(source);
      if (size > MAX_FILE_SIZE) {
        throw new IllegalArgumentException(path + " is larger than 1 TiB");
      }
      IsoNode n = add(path, Kind.FILE, 0100444);
      n.source = source;
      n.size = size;
      return this;
    }

    /** Adds a file with the given content. */
    public Builder addFile(String path, byte[] content) {
      IsoNode n = add(path, Kind.FILE, 0100444);
      n.content = content.clone();
      n.size = content.length;
      return this;
    }

    /** Adds an (empty) directory; directories of files are added implicitly. */
    public Builder addDirectory(String path) {
      add(path, Kind.DIRECTORY, 040555);
      return this;
    }

    /** Adds a symbolic link (Rock Ridge only; Joliet has no links). */
    public Builder addSymlink(String path, String target) {
      IsoNode n = add(path, Kind.SYMLINK, 0120777);
      n.linkTarget = target;
      return this;
    }

    /**
     * Makes the image BIOS-bootable: {@code bootImage} (already added, e.g.
     * {@code isolinux/isolinux.bin}) is loaded with no emulation; with {@code bootInfoTable}
     * its bytes 8-63 are patched as isolinux expects.
     */
    public Builder biosBoot(String bootImage, int loadSectors, boolean bootInfoTable,
        String catalogPath) {
      this.biosBootImage = bootImage;
      this.biosLoadSectors = loadSectors;
      this.bootInfoTable = bootInfoTable;
      this.catalogPath = catalogPath;
      return this;
    }

    /** Adds a UEFI boot entry for {@code efiImage} (a FAT image already added). */
    public Builder efiBoot(String efiImage) {
      this.efiBootImage = efiImage;
      return this;
    }

    private IsoNode add(String path, Kind kind, int mode) {
      String[] parts = IsoPaths.split(path);
      IsoNode dir = root;
      for (int i = 0; i < parts.length - 1; i++) {
        IsoNode next = dir.child(parts[i]);
        if (next == null) {
          next = new IsoNode(Kind.DIRECTORY, parts[i], dir, 040555);
          dir.children.add(next);
        } else if (next.kind != Kind.DIRECTORY) {
          throw new IllegalArgumentException(path + ": " + parts[i] + " is not a directory");
        }
        dir = next;
      }
      String last = parts[parts.length - 1];
      IsoNode existing = dir.child(last);
      if (existing != null) {
        if (existing.kind == Kind.DIRECTORY && kind == Kind.DIRECTORY) {
          return existing;
        }
        throw new IllegalArgumentException(path + " is already in the image");
      }
      IsoNode n = new IsoNode(kind, last, dir, mode);
      dir.children.add(n);
      return n;
    }

    IsoNode find(String path) {
      IsoNode n = root;
      for (String p : IsoPaths.split(path)) {
        n = n == null ? null : n.child(p);
      }
      return n;
    }

    /** Writes the image to {@code destination} atomically. */
    public void writeTo(Path destination) throws IOException {
      new IsoImageWriter(this).write(destination);
    }
  }

  // ---- layout ----------------------------------------------------------------------------

  private void write(Path destination) throws IOException {
    IsoNode bootImage = null;
    IsoNode efiImage = null;
    IsoNode catalog = null;
    if (b.biosBootImage != null || b.efiBootImage != null) {
      if (b.biosBootImage != null) {
        bootImage = required(b.biosBootImage);
      }
      if (b.efiBootImage != null) {
        efiImage = required(b.efiBootImage);
      }
      b.addFile(b.catalogPath, new byte[SECTOR]);
      catalog = b.find(b.catalogPath);
    }
    assignNames(root);
    order(root, primaryDirs, true);
    order(root, jolietDirs, false);
    pathTableSize = pathTableSize(primaryDirs, true);
    jolietPathTableSize = pathTableSize(jolietDirs, false);

    long lba = 16;
    lba++; // primary volume descriptor
    if (catalog != null) {
      lba++; // boot record
    }
    if (b.joliet) {
      lba++;
    }
    lba++; // terminator
    lbaLPath = lba;
    lba += IsoBytes.sectors(pathTableSize);
    lbaMPath = lba;
    lba += IsoBytes.sectors(pathTableSize);
    if (b.joliet) {
      lbaJolietLPath = lba;
      lba += IsoBytes.sectors(jolietPathTableSize);
      lbaJolietMPath = lba;
      lba += IsoBytes.sectors(jolietPathTableSize);
    }
    if (b.rockRidge) {
      lbaContinuation = lba++;
    }
    for (IsoNode d : primaryDirs) {
      d.primaryDirSize = dirSize(d, true);
      d.primaryDirExtent = lba;
      lba += d.primaryDirSize / SECTOR;
    }
    if (b.joliet) {
      for (IsoNode d : jolietDirs) {
        d.jolietDirSize = dirSize(d, false);
        d.jolietDirExtent = lba;
        lba += d.jolietDirSize / SECTOR;
      }
    }
    // file data: boot catalog first, then the rest in path order
    List<IsoNode> files = new ArrayList<>();
    collectFiles(root, files);
    if (catalog != null) {
      files.remove(catalog);
      files.add(0, catalog);
    }
    long dataStart = lba;
    for (IsoNode f : files) {
      f.extent = f.size == 0 ? dataStart : lba;
      lba += IsoBytes.sectors(f.size);
    }
    if (catalog != null) {
      lbaCatalog = catalog.extent;
      catalog.content = bootCatalog(bootImage, efiImage);
    }
    if (bootImage != null && b.bootInfoTable) {
      bootImage.content = withBootInfoTable(bootImage);
      bootImage.source = null;
    }
    totalSectors = lba;

    try (AtomicFile out = AtomicFile.create(destination)) {
      FileChannel ch = out.channel();
      put(ch, 16, primaryDescriptor(false));
      long vd = 17;
      if (catalog != null) {
        put(ch, vd++, bootRecord());
      }
      if (b.joliet) {
        put(ch, vd++, primaryDescriptor(true));
      }
      put(ch, vd, terminator());
      put(ch, lbaLPath, pathTable(primaryDirs, true, ByteOrder.LITTLE_ENDIAN));
      put(ch, lbaMPath, pathTable(primaryDirs, true, ByteOrder.BIG_ENDIAN));
      if (b.joliet) {
        put(ch, lbaJolietLPath, pathTable(jolietDirs, false, ByteOrder.LITTLE_ENDIAN));
        put(ch, lbaJolietMPath, pathTable(jolietDirs, false, ByteOrder.BIG_ENDIAN));
      }
      if (b.rockRidge) {
        ByteBuffer c = ByteBuffer.allocate(SECTOR);
        c.put(er);
        put(ch, lbaContinuation, c.array());
      }
      for (IsoNode d : primaryDirs) {
        put(ch, d.primaryDirExtent, directory(d, true));
      }
      if (b.joliet) {
        for (IsoNode d : jolietDirs) {
          put(ch, d.jolietDirExtent, directory(d, false));
        }
      }
      for (IsoNode f : files) {
        if (f.size == 0) {
          continue;
        }
        if (f.content != null) {
          put(ch, f.extent, f.content);
        } else {
          try (FileChannel in = FileChannel.open(f.source, StandardOpenOption.READ)) {
            long done = 0;
            while (done < f.size) {
              long n = in.transferTo(done, f.size - done, ch.position(f.extent * SECTOR + done));
              if (n <= 0) {
                throw new IOException(f.source + " shrank while the image was written");
              }
              done += n;
            }
          }
        }
      }
      // pad the last sector
      if (ch.size() < totalSectors * SECTOR) {
        ch.write(ByteBuffer.allocate(1), totalSectors * SECTOR - 1);
      }
      out.commit();
    }
  }

  private IsoNode required(String path) {
    IsoNode n = b.find(path);
    if (n == null || n.kind != Kind.FILE) {
      throw new IllegalArgumentException("boot image " + path + " is not a file in the image");
    }
    return n;
  }

  private void collectFiles(IsoNode dir, List<IsoNode> out) {
    for (IsoNode c : sorted(dir, true)) {
      if (c.kind == Kind.FILE) {
        out.add(c);
      }
    }
    for (IsoNode c : sorted(dir, true)) {
      if (c.kind == Kind.DIRECTORY) {
        collectFiles(c, out);
      }
    }
  }

  /** Primary (8.3, d-characters) and Joliet (up to 64 UCS-2 characters) names. */
  private void assignNames(IsoNode dir) {
    Set<String> used = new HashSet<>();
    Set<String> usedJoliet = new HashSet<>();
    for (IsoNode c : dir.children) {
      c.isoName = IsoPaths.unique(IsoPaths.isoName(c.name, c.kind == Kind.DIRECTORY), used,
          c.kind == Kind.DIRECTORY);
      c.jolietName = IsoPaths.unique(IsoPaths.jolietName(c.name, c.kind == Kind.DIRECTORY),
          usedJoliet, c.kind == Kind.DIRECTORY);
      if (b.rockRidge && c.name.getBytes(StandardCharsets.UTF_8).length
          > RockRidge.MAX_NAME_BYTES) {
        throw new IllegalArgumentException(c.path() + ": names longer than "
            + RockRidge.MAX_NAME_BYTES + " bytes are not supported");
      }
      if (c.kind == Kind.DIRECTORY) {
        assignNames(c);
      }
    }
    if (dir.depth() > 8 && !b.rockRidge) {
      throw new IllegalArgumentException(dir.path() + ": ECMA-119 allows 8 directory levels");
    }
  }

  private List<IsoNode> sorted(IsoNode dir, boolean primary) {
    List<IsoNode> list = new ArrayList<>(dir.children);
    if (!primary) {
      list.removeIf(n -> n.kind == Kind.SYMLINK);
    }
    list.sort(Comparator.comparing(n -> primary ? n.isoName : n.jolietName,
        primary ? Comparator.naturalOrder() : Comparator.comparing(
            (String s) -> new String(s.getBytes(StandardCharsets.UTF_16BE),
                StandardCharsets.ISO_8859_1))));
    return list;
  }

  /** Path-table order (ECMA-119 6.9.1): by level, then parent number, then name. */
  private void order(IsoNode rootDir, List<IsoNode> out, boolean primary) {
    out.add(rootDir);
    setNumber(rootDir, primary, 1);
    for (int i = 0; i < out.size(); i++) {
      for (IsoNode c : sorted(out.get(i), primary)) {
        if (c.kind == Kind.DIRECTORY) {
          out.add(c);
          setNumber(c, primary, out.size());
        }
      }
    }
  }

  private static void setNumber(IsoNode n, boolean primary, int number) {
    if (primary) {
      n.primaryNumber = number;
    } else {
      n.jolietNumber = number;
    }
  }

  private byte[] nameBytes(IsoNode n, boolean primary) {
    return primary ? n.isoName.getBytes(StandardCharsets.US_ASCII)
        : n.jolietName.getBytes(StandardCharsets.UTF_16BE);
  }

  private long pathTableSize(List<IsoNode> dirs, boolean primary) {
    long size = 0;
    for (IsoNode d : dirs) {
      int len = d.parent == null ? 1 : nameBytes(d, primary).length;
      size += 8 + len + (len % 2);
    }
    return size;
  }

  private byte[] pathTable(List<IsoNode> dirs, boolean primary, ByteOrder order) {
    ByteBuffer t = ByteBuffer.allocate((int) IsoBytes.sectors(primary ? pathTableSize
        : jolietPathTableSize) * SECTOR).order(order);
    for (IsoNode d : dirs) {
      byte[] name = d.parent == null ? new byte[] {0} : nameBytes(d, primary);
      t.put((byte) name.length).put((byte) 0);
      t.putInt((int) (primary ? d.primaryDirExtent : d.jolietDirExtent));
      int parent = d.parent == null ? 1 : (primary ? d.parent.primaryNumber
          : d.parent.jolietNumber);
      t.putShort((short) parent);
      t.put(name);
      if (name.length % 2 == 1) {
        t.put((byte) 0);
      }
    }
    return t.array();
  }

  // ---- directory records ------------------------------------------------------------------

  private List<byte[]> records(IsoNode dir, boolean primary) {
    List<byte[]> out = new ArrayList<>();
    IsoNode parent = dir.parent == null ? dir : dir.parent;
    boolean rr = primary && b.rockRidge;
    byte[] dotSu = new byte[0];
    if (rr) {
      ByteArrayOutputStream su = new ByteArrayOutputStream();
      if (dir.parent == null) {
        su.writeBytes(RockRidge.sp());
        su.writeBytes(RockRidge.ce(lbaContinuation, 0, er.length));
      }
      su.writeBytes(RockRidge.px(dir.mode, links(dir)));
      su.writeBytes(RockRidge.tf(b.timestamp));
      dotSu = su.toByteArray();
    }
    out.add(record(primary ? dir.primaryDirExtent : dir.jolietDirExtent,
        primary ? dir.primaryDirSize : dir.jolietDirSize, 0x02, new byte[] {0}, dotSu));
    byte[] dotDotSu = rr ? concat(RockRidge.px(parent.mode, links(parent)),
        RockRidge.tf(b.timestamp)) : new byte[0];
    out.add(record(primary ? parent.primaryDirExtent : parent.jolietDirExtent,
        primary ? parent.primaryDirSize : parent.jolietDirSize, 0x02, new byte[] {1},
        dotDotSu));
    for (IsoNode c : sorted(dir, primary)) {
      byte[] su = new byte[0];
      if (rr) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(RockRidge.px(c.mode, c.kind == Kind.DIRECTORY ? links(c) : 1));
        s.writeBytes(RockRidge.tf(b.timestamp));
        s.writeBytes(RockRidge.nm(c.name));
        if (c.kind == Kind.SYMLINK) {
          s.writeBytes(RockRidge.sl(c.linkTarget));
        }
        su = s.toByteArray();
      }
      if (c.kind == Kind.DIRECTORY) {
        out.add(record(primary ? c.primaryDirExtent : c.jolietDirExtent,
            primary ? c.primaryDirSize : c.jolietDirSize, 0x02, nameBytes(c, primary), su));
      } else {
        long left = c.kind == Kind.FILE ? c.size : 0;
        long extent = c.kind == Kind.FILE ? c.extent : 0;
        while (left > MAX_EXTENT) { // every record but the last carries the multi-extent flag
          out.add(record(extent, MAX_EXTENT, 0x80, nameBytes(c, primary), su));
          extent += MAX_EXTENT / SECTOR;
          left -= MAX_EXTENT;
        }
        out.add(record(extent, left, 0x00, nameBytes(c, primary), su));
      }
    }
    return out;
  }

  private static int links(IsoNode dir) {
    int n = 2;
    for (IsoNode c : dir.children) {
      if (c.kind == Kind.DIRECTORY) {
        n++;
      }
    }
    return n;
  }

  private byte[] record(long extent, long length, int flags, byte[] name, byte[] systemUse) {
    int len = 33 + name.length + (name.length % 2 == 0 ? 1 : 0) + systemUse.length;
    if (len % 2 == 1) {
      len++;
    }
    if (len > 255) {
      throw new IllegalArgumentException("directory record too long (" + len + " bytes)");
    }
    ByteBuffer r = ByteBuffer.allocate(len);
    r.put(0, (byte) len);
    IsoBytes.putBoth32(r, 2, extent);
    IsoBytes.putBoth32(r, 10, length);
    r.put(18, IsoBytes.recordDate(b.timestamp));
    r.put(25, (byte) flags);
    IsoBytes.putBoth16(r, 28, 1);
    r.put(32, (byte) name.length);
    r.put(33, name);
    r.put(33 + name.length + (name.length % 2 == 0 ? 1 : 0), systemUse);
    return r.array();
  }

  private long dirSize(IsoNode dir, boolean primary) {
    long size = 0;
    int inSector = 0;
    for (byte[] rec : records(dir, primary)) {
      if (inSector + rec.length > SECTOR) {
        size += SECTOR;
        inSector = 0;
      }
      inSector += rec.length;
    }
    return size + SECTOR;
  }

  private byte[] directory(IsoNode dir, boolean primary) {
    long size = primary ? dir.primaryDirSize : dir.jolietDirSize;
    ByteBuffer d = ByteBuffer.allocate((int) size);
    int inSector = 0;
    for (byte[] rec : records(dir, primary)) {
      if (inSector + rec.length > SECTOR) {
        d.position(d.position() + (SECTOR - inSector));
        inSector = 0;
      }
      d.put(rec);
      inSector += rec.length;
    }
    return d.array();
  }

  // ---- descriptors ------------------------------------------------------------------------

  private byte[] primaryDescriptor(boolean joliet) {
    ByteBuffer v = ByteBuffer.allocate(SECTOR);
    v.put(0, (byte) (joliet ? 2 : 1));
    v.put(1, "CD001".getBytes(StandardCharsets.US_ASCII));
    v.put(6, (byte) 1);
    if (joliet) {
      IsoBytes.putUcs2Padded(v, 8, 32, b.systemId);
      IsoBytes.putUcs2Padded(v, 40, 32, b.volumeId);
      v.put(88, new byte[] {'%', '/', 'E'}); // UCS-2 level 3
    } else {
      IsoBytes.putPadded(v, 8, 32, b.systemId);
      IsoBytes.putPadded(v, 40, 32, b.volumeId);
    }
    IsoBytes.putBoth32(v, 80, totalSectors);
    IsoBytes.putBoth16(v, 120, 1);
    IsoBytes.putBoth16(v, 124, 1);
    IsoBytes.putBoth16(v, 128, SECTOR);
    IsoBytes.putBoth32(v, 132, joliet ? jolietPathTableSize : pathTableSize);
    IsoBytes.putLe32(v, 140, joliet ? lbaJolietLPath : lbaLPath);
    IsoBytes.putBe32(v, 148, joliet ? lbaJolietMPath : lbaMPath);
    byte[] rootRecord = record(joliet ? root.jolietDirExtent : root.primaryDirExtent,
        joliet ? root.jolietDirSize : root.primaryDirSize, 0x02, new byte[] {0}, new byte[0]);
    v.put(156, rootRecord, 0, 34);
    if (joliet) {
      IsoBytes.putUcs2Padded(v, 190, 128, "");
      IsoBytes.putUcs2Padded(v, 318, 128, b.publisher);
      IsoBytes.putUcs2Padded(v, 446, 128, "");
      IsoBytes.putUcs2Padded(v, 574, 128, b.applicationId);
      IsoBytes.putUcs2Padded(v, 702, 36, "");
      IsoBytes.putUcs2Padded(v, 739, 36, "");
      IsoBytes.putUcs2Padded(v, 776, 36, "");
    } else {
      IsoBytes.putPadded(v, 190, 128, "");
      IsoBytes.putPadded(v, 318, 128, b.publisher.toUpperCase(Locale.ROOT));
      IsoBytes.putPadded(v, 446, 128, "");
      IsoBytes.putPadded(v, 574, 128, b.applicationId.toUpperCase(Locale.ROOT));
      IsoBytes.putPadded(v, 702, 37, "");
      IsoBytes.putPadded(v, 739, 37, "");
      IsoBytes.putPadded(v, 776, 37, "");
    }
    v.put(813, IsoBytes.volumeDate(b.timestamp));
    v.put(830, IsoBytes.volumeDate(b.timestamp));
    v.put(847, IsoBytes.noDate());
    v.put(864, IsoBytes.noDate());
    v.put(881, (byte) 1);
    return v.array();
  }

  private byte[] bootRecord() {
    ByteBuffer v = ByteBuffer.allocate(SECTOR);
    v.put(0, (byte) 0);
    v.put(1, "CD001".getBytes(StandardCharsets.US_ASCII));
    v.put(6, (byte) 1);
    v.put(7, "EL TORITO SPECIFICATION".getBytes(StandardCharsets.US_ASCII));
    IsoBytes.putLe32(v, 71, lbaCatalog);
    return v.array();
  }

  private static byte[] terminator() {
    ByteBuffer v = ByteBuffer.allocate(SECTOR);
    v.put(0, (byte) 255);
    v.put(1, "CD001".getBytes(StandardCharsets.US_ASCII));
    v.put(6, (byte) 1);
    return v.array();
  }

  /** El Torito catalog: validation entry, default (BIOS) entry, then a UEFI section. */
  private byte[] bootCatalog(IsoNode bios, IsoNode efi) {
    ByteBuffer c = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    c.put(0, (byte) 1); // header id
    c.put(1, (byte) 0); // platform: x86
    c.put(30, (byte) 0x55);
    c.put(31, (byte) 0xAA);
    int sum = 0;
    for (int i = 0; i < 32; i += 2) {
      sum += Short.toUnsignedInt(c.getShort(i));
    }
    c.putShort(28, (short) -sum); // words of the entry sum to zero
    int at = 32;
    if (bios != null) {
      c.put(at, (byte) 0x88); // bootable
      c.put(at + 1, (byte) 0); // no emulation
      c.putShort(at + 6, (short) b.biosLoadSectors);
      c.putInt(at + 8, (int) bios.extent);
    } else {
      c.put(at, (byte) 0x00); // the default entry must exist; not bootable
    }
    at += 32;
    if (efi != null) {
      c.put(at, (byte) 0x91); // final section header
      c.put(at + 1, (byte) 0xEF); // EFI
      c.putShort(at + 2, (short) 1);
      at += 32;
      c.put(at, (byte) 0x88);
      c.put(at + 1, (byte) 0);
      long sectors512 = (efi.size + 511) / 512;
      c.putShort(at + 6, (short) Math.min(sectors512, 0xFFFF));
      c.putInt(at + 8, (int) efi.extent);
    }
    return c.array();
  }

  /** The boot image with isolinux's boot-info-table at offset 8 (56 bytes). */
  private byte[] withBootInfoTable(IsoNode boot) throws IOException {
    byte[] data = boot.content != null ? boot.content.clone() : Files.readAllBytes(boot.source);
    if (data.length < 64) {
      throw new IllegalArgumentException("boot image too small for a boot-info-table");
    }
    ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int checksum = 0;
    for (int i = 64; i + 4 <= data.length; i += 4) {
      checksum += d.getInt(i);
    }
    d.putInt(8, 16); // bi_pvd
    d.putInt(12, (int) boot.extent); // bi_file
    d.putInt(16, data.length); // bi_length
    d.putInt(20, checksum); // bi_csum
    for (int i = 24; i < 64; i++) {
      data[i] = 0;
    }
    return data;
  }

  private static byte[] concat(byte[] a, byte[] b2) {
    byte[] out = new byte[a.length + b2.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b2, 0, out, a.length, b2.length);
    return out;
  }

  private static void put(FileChannel ch, long lba, byte[] data) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(data);
    long pos = lba * SECTOR;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }
}
