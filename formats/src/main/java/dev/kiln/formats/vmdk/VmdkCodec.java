package dev.kiln.formats.vmdk;

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

/** VMware's sparse VMDK (written stream-optimized): recognised by {@code KDMV}. */
public final class VmdkCodec extends AbstractFormatCodec<VmdkOptions> {
  /**
   * The largest disk: vSphere's largest virtual disk; the sparse extent stays under 2^32
   * sectors, QEMU's VMDK_EXTENT_MAX_SECTORS.
   */
  public static final long MAX_VIRTUAL_SIZE = 62L << 40;

  public VmdkCodec() {
    super(ImageFormat.VMDK, List.of("vmdk"), MAX_VIRTUAL_SIZE, VmdkOptions.class);
  }

  @Override
  public boolean recognises(FileHead head) {
    return head.startsWith("KDMV");
  }

  @Override
  public DiskImage open(Path file) throws IOException {
    return VmdkImage.open(file);
  }

  @Override
  public ImageReport inspect(Path file) throws IOException {
    long allocated = RawImage.allocatedBytes(file);
    List<String> details = new ArrayList<>();
    try (VmdkImage image = VmdkImage.open(file)) {
      details.add("createType=" + image.createType());
      return new ImageReport(format(), image.virtualSize(), allocated, details,
          Inspection.readEveryExtent(image));
    } catch (FormatException e) {
      return Inspection.unreadable(format(), allocated, details, e);
    }
  }

  /** The descriptor names the extent by the artifact's own file name. */
  @Override
  public VmdkOptions defaultOptions(String artifactName) {
    return VmdkOptions.defaults(artifactName);
  }

  @Override
  public DiskWriter writer(Path file, long size, VmdkOptions options) throws IOException {
    return VmdkStreamWriter.create(file, size, options);
  }
}
