package dev.kiln.formats.qcow2;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.FileHead;
import dev.kiln.formats.AbstractFormatCodec;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.Inspection;
import dev.kiln.formats.raw.RawImage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** QEMU's qcow2, versions 2 and 3: recognised by {@code QFI\xfb}. */
public final class Qcow2Codec extends AbstractFormatCodec<Qcow2Options> {
  /** The largest disk: Kiln's reader and writer bound (QEMU allows more). */
  public static final long MAX_VIRTUAL_SIZE = 64L << 40;

  public Qcow2Codec() {
    super(ImageFormat.QCOW2, List.of("qcow2"), MAX_VIRTUAL_SIZE, Qcow2Options.class);
  }

  @Override
  public boolean recognises(FileHead head) {
    return head.size() >= 4 && head.bytes().getInt(0) == Qcow2Header.MAGIC;
  }

  @Override
  public DiskImage open(Path file) throws IOException {
    return Qcow2Image.open(file);
  }

  @Override
  public ImageReport inspect(Path file) throws IOException {
    long allocated = RawImage.allocatedBytes(file);
    List<String> details = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        Qcow2Image image = Qcow2Image.open(file)) {
      details.add("compat=" + (image.header().version() == 3 ? "1.1" : "0.10"));
      details.add("cluster_size=" + (1 << image.header().clusterBits()));
      return new ImageReport(format(), image.virtualSize(), allocated, details,
          Qcow2Checker.check(ch, image.header()));
    } catch (FormatException e) {
      return Inspection.unreadable(format(), allocated, details, e);
    }
  }

  @Override
  public Qcow2Options defaultOptions(String artifactName) {
    return Qcow2Options.defaults();
  }

  @Override
  public DiskWriter writer(Path file, long size, Qcow2Options options) throws IOException {
    return Qcow2Writer.create(file, size, options);
  }
}
