package dev.kiln.formats.vhd;

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

/**
 * Microsoft's VHD, fixed and dynamic: recognised by the footer's {@code conectix} cookie at
 * the end of the file or, in a dynamic disk, its copy at the start.
 */
public final class VhdCodec extends AbstractFormatCodec<VhdOptions> {
  /** The largest disk: Microsoft's VHD specification: "up to 2040 GB". */
  public static final long MAX_VIRTUAL_SIZE = 2040L << 30;

  public VhdCodec() {
    super(ImageFormat.VHD, List.of("vhd"), MAX_VIRTUAL_SIZE, VhdOptions.class);
  }

  @Override
  public boolean recognises(FileHead head) {
    return head.startsWith(VhdFooter.COOKIE)
        || head.size() >= 512 && head.startsWith(head.size() - 512, VhdFooter.COOKIE);
  }

  @Override
  public DiskImage open(Path file) throws IOException {
    return VhdImage.open(file);
  }

  @Override
  public ImageReport inspect(Path file) throws IOException {
    long allocated = RawImage.allocatedBytes(file);
    List<String> details = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        VhdImage image = VhdImage.open(file)) {
      details.add("subformat=" + (image.isDynamic() ? "dynamic" : "fixed"));
      details.add("creator=" + image.footer().creatorApplication().replace("\0", ""));
      details.add("geometry=" + image.footer().geometry().cylinders() + "/"
          + image.footer().geometry().heads() + "/"
          + image.footer().geometry().sectorsPerTrack());
      return new ImageReport(format(), image.virtualSize(), allocated, details,
          VhdChecker.check(image, ch));
    } catch (FormatException e) {
      return Inspection.unreadable(format(), allocated, details, e);
    }
  }

  @Override
  public VhdOptions defaultOptions(String artifactName) {
    return VhdOptions.dynamicNow();
  }

  @Override
  public DiskWriter writer(Path file, long size, VhdOptions options) throws IOException {
    return VhdWriter.create(file, size, options);
  }
}
