package dev.kiln.cloudstack.archfixture;

import dev.kiln.kvm.AcceleratorProbe;

/** A deliberate violation: the cloudstack module must not import hypervisor-kvm. */
public final class ImportsKvm {
  public Object use() {
    return AcceleratorProbe.DEFAULT_DEADLINE;
  }
}
