package dev.kiln.formats.vhdx;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Microsoft's VHDX: recognised by the file type identifier {@code vhdxfile}. */
public final class VhdxCodec extends AbstractFormatCodec<VhdxOptions> {
  /** The largest disk: MS-VHDX 1.0, VirtualDiskSize. */
  public static final long MAX_VIRTUAL_SIZE = 64L << 40;

  public VhdxCodec() {
    super(ImageFormat.VHDX, List.of("vhdx"), MAX_VIRTUAL_SIZE, VhdxOptions.class);
  }

  @Override
  public boolean recognises(FileHead head) {
    return head.startsWith("vhdxfile");
  }

  @Override
  public DiskImage open(Path file) throws IOException {
    return VhdxImage.open(file);
  }

  @Override
  public ImageReport inspect(Path file) throws IOException {
    long allocated = RawImage.allocatedBytes(file);
    List<String> details = new ArrayList<>();
    try (VhdxImage image = VhdxImage.open(file)) {
      details.add("block_size=" + image.blockSize());
      List<String> problems = new ArrayList<>(image.notes());
      problems.addAll(Inspection.readEveryExtent(image));
      return new ImageReport(format(), image.virtualSize(), allocated, details, problems);
    } catch (FormatException e) {
      return Inspection.unreadable(format(), allocated, details, e);
    }
  }

  @Override
  public VhdxOptions defaultOptions(String artifactName) {
    return VhdxOptions.defaults();
  }

  @Override
  public DiskWriter writer(Path file, long size, VhdxOptions options) throws IOException {
    return VhdxWriter.create(file, size, options);
  }
}
