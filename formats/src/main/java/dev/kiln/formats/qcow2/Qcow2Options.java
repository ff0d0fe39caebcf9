package dev.kiln.formats.qcow2;

import dev.kiln.formats.WriterOptions;
/**
 * How a qcow2 image is written.
 *
 * @param compat {@code "1.1"} (version 3, the default) or {@code "0.10"} (version 2, for old
 *     hosts; CloudStack's own KVM templates use it)
 * @param compressed deflate every cluster that shrinks (qemu-img's {@code -c})
 * @param threads compression threads (output order is kept whatever the count)
 */
public record Qcow2Options(String compat, boolean compressed, int threads)
    implements WriterOptions {
  public Qcow2Options {
    if (!compat.equals("1.1") && !compat.equals("0.10")) {
      throw new IllegalArgumentException("qcow2 compat is 0.10 or 1.1, not " + compat);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
  }

  /** Version 3, uncompressed. */
  public static Qcow2Options defaults() {
    return new Qcow2Options("1.1", false, Runtime.getRuntime().availableProcessors());
  }

  int version() {
    return compat.equals("1.1") ? 3 : 2;
  }
}
