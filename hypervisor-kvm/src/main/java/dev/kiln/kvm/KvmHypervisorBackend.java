package dev.kiln.kvm;

import dev.kiln.api.MachineException;
import dev.kiln.spi.Hypervisor;
import dev.kiln.spi.HypervisorBackend;
import java.net.URI;
import java.nio.file.Path;

/** KVM through libvirt, for {@code qemu:} URIs (local, {@code +ssh}, {@code +tls}, ...). */
public final class KvmHypervisorBackend implements HypervisorBackend {
  @Override
  public String name() {
    return "kvm";
  }

  @Override
  public boolean accepts(URI uri) {
    String scheme = uri.getScheme();
    return scheme != null && (scheme.equals("qemu") || scheme.startsWith("qemu+"));
  }

  @Override
  public Hypervisor connect(URI uri, Path workRoot) throws MachineException {
    return KvmHypervisor.builder().uri(uri).workRoot(workRoot).build();
  }
}
