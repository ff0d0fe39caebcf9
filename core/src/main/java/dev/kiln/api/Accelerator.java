package dev.kiln.api;

/** How a build machine's CPU is virtualised. */
public enum Accelerator {
  /** Hardware virtualisation; fails when KVM cannot run the guest. */
  KVM,
  /** Software emulation (QEMU TCG): slow but runs anywhere. */
  TCG,
  /** KVM when it can really run a guest, else TCG with a warning event. */
  AUTO
}
