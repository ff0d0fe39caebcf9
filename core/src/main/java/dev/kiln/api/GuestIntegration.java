package dev.kiln.api;

/** How the template cooperates with CloudStack (passwords, SSH keys, user data). */
public enum GuestIntegration {
  /** cloud-init with the ConfigDrive and CloudStack data sources. */
  CLOUD_INIT,
  /** The classic {@code cloud-set-guest-password} service, for images without cloud-init. */
  PASSWORD_SERVICE,
  /** Leave the guest as provisioned. */
  NONE
}
