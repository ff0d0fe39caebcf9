package dev.kiln.formats.vhdx;

import dev.kiln.formats.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * How a VHDX is written.
 *
 * @param blockSize payload block size: a power of two from 1 MiB to 256 MiB; Hyper-V uses
 *     32 MiB for dynamic disks
 * @param identity seeds every GUID in the file (file/data write GUIDs, page-83 id); pin it for
 *     byte-identical output
 */
public record VhdxOptions(int blockSize, UUID identity) implements WriterOptions {
  public VhdxOptions {
    if (blockSize < (1 << 20) || blockSize > (256 << 20) || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException("VHDX block size must be a power of two from 1 MiB "
          + "to 256 MiB");
    }
    Objects.requireNonNull(identity);
  }

  /** Hyper-V's block size and fresh GUIDs. */
  public static VhdxOptions defaults() {
    return new VhdxOptions(VhdxLayout.DEFAULT_BLOCK_SIZE, UUID.randomUUID());
  }

  UUID derived(String purpose) {
    return UUID.nameUUIDFromBytes((identity + "/" + purpose).getBytes(StandardCharsets.UTF_8));
  }
}
