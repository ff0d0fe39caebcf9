package dev.kiln.core.internal.ssh;

import dev.kiln.api.Secret;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom to log in: the build key first, a password as the fallback.
 *
 * @param sudoPassword the password sudo asks for, when the user's sudo rule needs one
 */
public record SshEndpoint(String host, int port, String user, BuildKey key,
    Optional<Secret> password, Optional<Secret> sudoPassword) {
  public SshEndpoint {
    Objects.requireNonNull(host);
    Objects.requireNonNull(user);
    Objects.requireNonNull(password);
    Objects.requireNonNull(sudoPassword);
  }

  public SshEndpoint(String host, int port, String user, BuildKey key) {
    this(host, port, user, key, Optional.empty(), Optional.empty());
  }

  /** The pinning key of this endpoint's host key. */
  String hostId() {
    return "[" + host + "]:" + port;
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port;
  }
}
