package dev.kiln.kvm.internal;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Kiln's mark on every domain it defines: a {@code <metadata>} element in Kiln's namespace with
 * the purpose (build id or probe) and creation time. Cleanup removes only domains carrying it.
 */
public final class KilnMetadata {
  /** Kiln's XML namespace in libvirt domain metadata. */
  public static final String NAMESPACE = "https://kiln.dev/xmlns/libvirt/1";

  private KilnMetadata() {}

  static void append(Xml domain, String owner, Instant created) {
    append(domain, owner, created, null);
  }

  /** {@code workDir}: the machine's directory, removed with the domain by {@code kiln clean}. */
  static void append(Xml domain, String owner, Instant created, Path workDir) {
    Xml kiln = domain.child("metadata").child(NAMESPACE, "kiln:machine");
    kiln.attr("owner", owner).attr("created", created.toString());
    if (workDir != null) {
      kiln.attr("workdir", workDir.toString());
    }
    OwnerRecord self = OwnerRecord.current();
    kiln.attr("client", self.client()).attr("pid", Long.toString(self.pid()))
        .attr("started", self.started().toString());
  }
}
