package dev.kiln.formats.vhd;

import dev.kiln.formats.WriterOptions;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * How a VHD is written.
 *
 * @param dynamic dynamic (sparse, 2 MiB blocks; what XenServer takes) or fixed
 * @param timestamp the footer's creation time; pin it for byte-identical output
 * @param uniqueId the footer's UUID; pin it for byte-identical output
 */
public record VhdOptions(boolean dynamic, Instant timestamp, UUID uniqueId)
    implements WriterOptions {
  public VhdOptions {
    Objects.requireNonNull(timestamp);
    Objects.requireNonNull(uniqueId);
  }

  /** Dynamic, stamped now, with a random UUID. */
  public static VhdOptions dynamicNow() {
    return new VhdOptions(true, Instant.now(), UUID.randomUUID());
  }
}
