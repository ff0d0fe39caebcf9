package dev.kiln.api;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * What the build does about installed packages that have updates in the distribution's
 * security repositories, which it asks the guest's own package manager about after
 * provisioning (through the build's package proxy, so it works without internet access beyond
 * the mirrors).
 *
 * @param updates apply the pending security updates, or only report them
 * @param maxPending the most pending security updates the template may ship with; more fail
 *     the build. Empty: no limit (report mode warns). With {@link Updates#APPLY} an empty limit
 *     means none may remain
 */
public record SecurityPolicy(Updates updates, OptionalInt maxPending) {
  /**
   * Report only, no limit. Applying is the better default for templates, but on a host
   * without KVM a point-release kernel update alone costs a quarter of an hour, so a recipe
   * opts in.
   */
  public static final SecurityPolicy DEFAULTS = new SecurityPolicy(Updates.REPORT,
      OptionalInt.empty());

  /** Refuses a negative limit. */
  public SecurityPolicy {
    Objects.requireNonNull(updates, "updates");
    Objects.requireNonNull(maxPending, "maxPending");
    if (maxPending.isPresent() && maxPending.getAsInt() < 0) {
      throw new IllegalArgumentException("maxPending must not be negative");
    }
  }

  /** The limit the assessment is held to: {@code maxPending}, or 0 when applying. */
  public OptionalInt limit() {
    return maxPending.isPresent() || updates == Updates.REPORT ? maxPending : OptionalInt.of(0);
  }

  /** Whether the pending security updates are installed during provisioning. */
  public enum Updates {
    /** Install them, then assess again: what remains is held to the limit. */
    APPLY,
    /** Keep the versions the build installed and record what is pending. */
    REPORT
  }
}
