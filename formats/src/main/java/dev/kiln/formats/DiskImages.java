package dev.kiln.formats;

import dev.kiln.formats.qcow2.Qcow2Checker;
import dev.kiln.formats.qcow2.Qcow2Image;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.vhd.VhdChecker;
import dev.kiln.formats.vhd.VhdImage;
import java.util.ArrayList;
import java.util.List;
import java.io.IOException;
import java.nio.ByteBuffer;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens disk images, recognising the format from the content, never from the file name. */
public final class DiskImages {
  private DiskImages() {}

  /** The format of {@code file} judged by its magic numbers; RAW when none matches. */
  public static ImageFormat detect(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(512);
      ch.read(head, 0);
      head.flip();
      String start = StandardCharsets.ISO_8859_1.decode(head.duplicate()).toString();
      if (start.startsWith("QFI\u00fb")) {
        return ImageFormat.QCOW2;
      }
      if (start.startsWith("vhdxfile")) {
        return ImageFormat.VHDX;
      }
      if (start.startsWith("KDMV")) {
        return ImageFormat.VMDK;
      }
      long size = ch.size();
      if (isTarHeader(head)) {
        // a tar is a container, never a disk: whatever the OVF's name, place or encoding
        // (GNU long name, PAX path), OvaReader finds it or says the archive holds none
        return ImageFormat.OVA;
      }
      if (start.startsWith("conectix")) {
        return ImageFormat.VHD;
      }
      if (size >= 512) {
        ByteBuffer tail = ByteBuffer.allocate(8);
        ch.read(tail, size - 512);
        tail.flip();
        if (StandardCharsets.ISO_8859_1.decode(tail).toString().equals("conectix")) {
          return ImageFormat.VHD;
        }
      }
      return ImageFormat.RAW;
    }
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

  /**
   * Detects the format and checks every structure, listing each problem found (a corrupt header
   * is one problem, not an exception). Reading stays bounded by the file's size.
   */
  public static ImageReport inspect(Path file) throws IOException {
    ImageFormat format = detect(file);
    long allocated = allocated(file);
    List<String> details = new ArrayList<>();
    switch (format) {
      case QCOW2:
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            Qcow2Image image = Qcow2Image.open(file)) {
          details.add("compat=" + (image.header().version() == 3 ? "1.1" : "0.10"));
          details.add("cluster_size=" + (1 << image.header().clusterBits()));
          return new ImageReport(format, image.virtualSize(), allocated, details,
              Qcow2Checker.check(ch, image.header()));
        } catch (FormatException e) {
          return new ImageReport(format, -1, allocated, details, List.of(e.getMessage()));
        }
      case VHD:
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            VhdImage image = VhdImage.open(file)) {
          details.add("subformat=" + (image.isDynamic() ? "dynamic" : "fixed"));
          details.add("creator=" + image.footer().creatorApplication().replace("\0", ""));
          details.add("geometry=" + image.footer().geometry().cylinders() + "/"
              + image.footer().geometry().heads() + "/"
              + image.footer().geometry().sectorsPerTrack());
          return new ImageReport(format, image.virtualSize(), allocated, details,
              VhdChecker.check(image, ch));
        } catch (FormatException e) {
          return new ImageReport(format, -1, allocated, details, List.of(e.getMessage()));
        }
      case VHDX:
        try (dev.kiln.formats.vhdx.VhdxImage image = dev.kiln.formats.vhdx.VhdxImage.open(file)) {
          details.add("block_size=" + image.blockSize());
          List<String> problems = new ArrayList<>(image.notes());
          problems.addAll(checkReadable(image));
          return new ImageReport(format, image.virtualSize(), allocated, details, problems);
        } catch (FormatException e) {
          return new ImageReport(format, -1, allocated, details, List.of(e.getMessage()));
        }
      case VMDK:
        try (dev.kiln.formats.vmdk.VmdkImage image = dev.kiln.formats.vmdk.VmdkImage.open(file)) {
          details.add("createType=" + image.createType());
          return new ImageReport(format, image.virtualSize(), allocated, details,
              checkReadable(image));
        } catch (FormatException e) {
          return new ImageReport(format, -1, allocated, details, List.of(e.getMessage()));
        }
      case OVA:
        try (dev.kiln.formats.ova.OvaReader ova = dev.kiln.formats.ova.OvaReader.open(file)) {
          var s = ova.summary();
          details.add("name=" + s.name());
          details.add("os=" + s.os() + " (CIM " + s.cimOsId() + ", " + s.vmwareOsType() + ")");
          details.add("cpus=" + s.cpus());
          details.add("memoryMiB=" + s.memoryMiB());
          long capacity = 0;
          for (var d : s.disks()) {
            details.add("disk=" + d.href() + " capacity " + d.capacity() + " bytes");
            capacity += d.capacity();
          }
          return new ImageReport(format, capacity, allocated, details, ova.verifyManifest());
        } catch (FormatException e) {
          return new ImageReport(format, -1, allocated, details, List.of(e.getMessage()));
        }
      case RAW:
        return new ImageReport(format, java.nio.file.Files.size(file), allocated, details,
            List.of());
      default:
        return new ImageReport(format, -1, allocated, details,
            List.of("inspecting " + format + " is not supported yet"));
    }
  }

  /** Follows every data extent once; a format error while reading is a problem. */
  private static List<String> checkReadable(DiskImage image) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try {
      for (Extent e : image.dataExtents()) {
        for (long pos = e.offset(); pos < e.end(); pos += buf.capacity()) {
          buf.clear().limit((int) Math.min(buf.capacity(), e.end() - pos));
          image.read(pos, buf);
        }
      }
      return List.of();
    } catch (FormatException ex) {
      return List.of(ex.getMessage());
    }
  }

  private static long allocated(Path file) throws IOException {
    return RawImage.allocatedBytes(file);
  }

  /**
   * Opens {@code file} for reading in its detected format.
   *
   * @throws UnsupportedFeatureException for formats this version reads only as output
   */
  /**
   * Like {@link #open}, but a qcow2 image with a backing file is read through its backing
   * chain (a build machine's overlay on its base image) instead of being refused.
   */
  public static DiskImage openWithBacking(Path file) throws IOException {
    if (detect(file) == ImageFormat.QCOW2) {
      return dev.kiln.formats.qcow2.Qcow2Image.openChain(file);
    }
    return open(file);
  }

  public static DiskImage open(Path file) throws IOException {
    ImageFormat format = detect(file);
    switch (format) {
      case RAW:
        return RawImage.open(file);
      case QCOW2:
        return dev.kiln.formats.qcow2.Qcow2Image.open(file);
      case VHD:
        return dev.kiln.formats.vhd.VhdImage.open(file);
      case VHDX:
        return dev.kiln.formats.vhdx.VhdxImage.open(file);
      case VMDK:
        return dev.kiln.formats.vmdk.VmdkImage.open(file);
      default:
        throw new UnsupportedFeatureException("reading " + format + " images is not supported "
            + "yet", "format", 0);
    }
  }
}
