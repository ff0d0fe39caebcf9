package dev.kiln.formats;

import dev.kiln.formats.raw.RawImage;
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
   * Opens {@code file} for reading in its detected format.
   *
   * @throws UnsupportedFeatureException for formats this version reads only as output
   */
  public static DiskImage open(Path file) throws IOException {
    ImageFormat format = detect(file);
    switch (format) {
      case RAW:
        return RawImage.open(file);
      case QCOW2:
        return dev.kiln.formats.qcow2.Qcow2Image.open(file);
      default:
        throw new UnsupportedFeatureException("reading " + format + " images is not supported "
            + "yet", "format", 0);
    }
  }
}
