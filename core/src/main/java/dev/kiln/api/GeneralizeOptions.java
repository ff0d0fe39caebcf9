package dev.kiln.api;

import java.util.Objects;
import java.util.Set;

/**
 * How the template is generalised so every VM deployed from it comes up as a new machine.
 *
 * @param enabled whether to generalise at all
 * @param skip names of operations to leave out (see the generalize documentation)
 * @param rootPassword what happens to root's password
 * @param trimFreeSpace whether free space is trimmed/zeroed so the image compresses well
 */
public record GeneralizeOptions(
    boolean enabled, Set<String> skip, RootPasswordPolicy rootPassword, boolean trimFreeSpace) {
  /**
   * The operations a build can run, by the names {@code skip} uses. Each is idempotent and can be
   * left out on its own.
   */
  public static final java.util.List<String> OPERATIONS = java.util.List.of(
      "machine-id", "ssh-host-keys", "dhcp-leases", "udev-persistent-net", "network-manager",
      "logs", "shell-history", "tmp-files", "package-cache", "cloud-init-state", "random-seed",
      "root-password", "build-key", "build-user", "trim-free-space");

  /** Everything on, root password locked. */
  public static final GeneralizeOptions DEFAULTS =
      new GeneralizeOptions(true, Set.of(), RootPasswordPolicy.LOCK, true);

  /** What happens to root's password in the template. */
  public enum RootPasswordPolicy {
    /** Root cannot log in with a password. */
    LOCK,
    /** The password must be changed at first login. */
    EXPIRE,
    /** Left as the build set it. */
    KEEP
  }

  /** Copies the skip list (refusing an unknown operation), so the options never change. */
  public GeneralizeOptions {
    skip = Set.copyOf(skip);
    for (String name : skip) {
      if (!OPERATIONS.contains(name)) {
        throw new IllegalArgumentException("unknown generalize operation " + name);
      }
    }
    Objects.requireNonNull(rootPassword, "rootPassword");
  }
}
