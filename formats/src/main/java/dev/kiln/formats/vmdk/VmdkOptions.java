package dev.kiln.formats.vmdk;

import dev.kiln.formats.WriterOptions;
import java.util.Objects;

/**
 * How a stream-optimized VMDK is written.
 *
 * @param extentFileName the file name recorded in the descriptor's extent line
 * @param adapterType {@code lsilogic}, {@code pvscsi}, {@code ide} …
 * @param virtualHwVersion ddb.virtualHWVersion (a real hardware version; qemu writes "4")
 * @param contentId the descriptor's CID (8 hex digits); pin it for byte-identical output
 * @param threads grain compression threads
 */
public record VmdkOptions(String extentFileName, String adapterType, int virtualHwVersion,
    int contentId, int threads) implements WriterOptions {
  public VmdkOptions {
    Objects.requireNonNull(extentFileName);
    if (!extentFileName.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("extent file name must be plain: " + extentFileName);
    }
    if (!adapterType.matches("[a-z]+")) {
      throw new IllegalArgumentException("adapter type: " + adapterType);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
  }

  public static VmdkOptions defaults(String extentFileName) {
    return new VmdkOptions(extentFileName, "lsilogic", 14,
        (int) (System.nanoTime() & 0x7fffffff), Runtime.getRuntime().availableProcessors());
  }
}
