package dev.kiln.kvm;

import dev.kiln.api.Accelerator;
import dev.kiln.api.MachineException;
import dev.kiln.kvm.internal.LibvirtConnections;
import dev.kiln.kvm.internal.ProbeRun;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds out whether an accelerator can really run a guest on a libvirt host, by booting a tiny
 * probe (512 bytes: real mode, PAE paging, long mode, then 64 MiB of memory writes — what a
 * Linux kernel does first) and watching its serial console. The existence of {@code /dev/kvm}
 * proves nothing: nested or paravirtualised KVM may crash the guest ("emulation failure",
 * "failed to set MSR") or run it hundreds of times slower than software emulation.
 */
public final class AcceleratorProbe {
  /** Time a working accelerator needs is well under a second; TCG about 0.2 s. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(20);

  /**
   * What the probe saw.
   *
   * @param accelerator KVM or TCG
   * @param usable whether the probe reached its last milestone before the deadline
   * @param reason why not, or how long it took
   * @param elapsed wall-clock time of the probe
   */
  public record Result(Accelerator accelerator, boolean usable, String reason, Duration elapsed) {
    public Result {
      Objects.requireNonNull(accelerator);
      Objects.requireNonNull(reason);
    }
  }

  /** Verdicts of {@link #probeOnce}, by host URI and accelerator. */
  private static final Map<String, Result> VERDICTS = new ConcurrentHashMap<>();
  private static final Map<String, Object> PROBING = new ConcurrentHashMap<>();

  private AcceleratorProbe() {}

  /**
   * {@link #probe}, once per host and accelerator in this JVM: later calls get the first
   * verdict. A matrix starts many builds on the same hosts, and each build opens its own
   * hypervisor; whether KVM can run guests on a host does not change between them, and a
   * failing probe costs its whole deadline. Concurrent first calls for the same host wait for
   * one probe.
   */
  public static Result probeOnce(URI libvirtUri, Accelerator accelerator, Duration deadline)
      throws MachineException, InterruptedException {
    String key = libvirtUri + " " + accelerator;
    synchronized (PROBING.computeIfAbsent(key, k -> new Object())) {
      Result known = VERDICTS.get(key);
      if (known != null) {
        return known;
      }
      Result fresh = probe(libvirtUri, accelerator, deadline);
      VERDICTS.put(key, fresh);
      return fresh;
    }
  }

  /**
   * Boots the probe on {@code libvirtUri} with {@code accelerator} (KVM or TCG) and the CPU
   * model Kiln uses for that accelerator. The probe domain is transient and destroyed before
   * this returns, whatever happens.
   *
   * @throws MachineException when libvirt itself cannot be used (not when the guest fails)
   */
  public static Result probe(URI libvirtUri, Accelerator accelerator, Duration deadline)
      throws MachineException, InterruptedException {
    if (accelerator == Accelerator.AUTO) {
      throw new IllegalArgumentException("probe KVM or TCG, not AUTO");
    }
    try (var connection = LibvirtConnections.open(libvirtUri)) {
      ProbeRun.Verdict v = new ProbeRun(connection, accelerator, deadline).run();
      return new Result(accelerator, v.usable(), v.reason(), v.elapsed());
    }
  }
}
