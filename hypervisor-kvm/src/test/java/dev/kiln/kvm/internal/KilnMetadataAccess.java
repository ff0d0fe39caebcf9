package dev.kiln.kvm.internal;

import java.time.Instant;

/** Lets tests in other packages mark their domains as Kiln's. */
public final class KilnMetadataAccess {
  private KilnMetadataAccess() {}

  public static void append(Xml domain, String owner, Instant created) {
    KilnMetadata.append(domain, owner, created);
  }
}
