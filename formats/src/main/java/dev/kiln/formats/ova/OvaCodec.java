package dev.kiln.formats.ova;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.FileHead;
import dev.kiln.formats.AbstractFormatCodec;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.Inspection;
import dev.kiln.formats.UnsupportedFeatureException;
import dev.kiln.formats.raw.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OVA: a tar of an OVF descriptor, its manifest and disks — a container, recognised by a
 * tar header whose checksum holds, whatever the OVF's name or place inside.
 */
public final class OvaCodec extends AbstractFormatCodec<OvfSpec> {
  /** The largest disk: its disk is a VMDK: vSphere's largest virtual disk. */
  public static final long MAX_VIRTUAL_SIZE = 62L << 40;

  public OvaCodec() {
    super(ImageFormat.OVA, List.of("ova"), MAX_VIRTUAL_SIZE, OvfSpec.class);
  }

  @Override
  public boolean isContainer() {
    return true;
  }

  @Override
  public boolean recognises(FileHead head) {
    return isTarHeader(head.bytes());
  }

  /**
   * A POSIX or GNU tar header block (ustar magic at 257, and a header checksum that matches:
   * the sum of the block's bytes with the checksum field read as spaces).
   */
  static boolean isTarHeader(ByteBuffer head) {
    if (head.limit() < 512 || head.get(257) != 'u' || head.get(258) != 's'
        || head.get(259) != 't' || head.get(260) != 'a' || head.get(261) != 'r') {
      return false;
    }
    long stored = 0;
    int digits = 0;
    for (int i = 148; i < 156; i++) {
      int c = head.get(i);
      if (c >= '0' && c <= '7') {
        stored = stored * 8 + (c - '0');
        digits++;
      } else if (c != ' ' && c != 0) {
        return false;
      }
    }
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += i >= 148 && i < 156 ? ' ' : Byte.toUnsignedInt(head.get(i));
    }
    return digits > 0 && sum == stored;
  }

  /** An OVA is not one disk: {@link OvaReader} lists and extracts the disks it holds. */
  @Override
  public DiskImage open(Path file) throws IOException {
    throw new UnsupportedFeatureException("an OVA is an archive of disks, not a disk; "
        + "convert it to read its first disk", "format", 0);
  }

  @Override
  public ImageReport inspect(Path file) throws IOException {
    long allocated = RawImage.allocatedBytes(file);
    List<String> details = new ArrayList<>();
    try (OvaReader ova = OvaReader.open(file)) {
      OvaReader.Summary s = ova.summary();
      details.add("name=" + s.name());
      details.add("os=" + s.os() + " (CIM " + s.cimOsId() + ", " + s.vmwareOsType() + ")");
      details.add("cpus=" + s.cpus());
      details.add("memoryMiB=" + s.memoryMiB());
      long capacity = 0;
      for (var d : s.disks()) {
        details.add("disk=" + d.href() + " capacity " + d.capacity() + " bytes");
        capacity += d.capacity();
      }
      return new ImageReport(format(), capacity, allocated, details, ova.verifyManifest());
    } catch (FormatException e) {
      return Inspection.unreadable(format(), allocated, details, e);
    }
  }

  /** A plain machine named after the artifact ({@link OvfSpec#minimal}). */
  @Override
  public OvfSpec defaultOptions(String artifactName) {
    String name = artifactName.toLowerCase(java.util.Locale.ROOT).endsWith(".ova")
        ? artifactName.substring(0, artifactName.length() - 4) : artifactName;
    return OvfSpec.minimal(name.isEmpty() ? "disk" : name);
  }

  /** An OVA is written from a disk image by {@link OvaWriter}, not block by block. */
  @Override
  public DiskWriter writer(Path file, long size, OvfSpec options) throws IOException {
    throw new UnsupportedFeatureException("an OVA is written from a disk image by OvaWriter",
        "format", 0);
  }
}
