package dev.kiln.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A user created in the template.
 *
 * @param name login name
 * @param sshKeys authorised public keys, one per line of {@code authorized_keys}
 * @param password optional password (hashed with SHA-512 crypt before it reaches an answer file)
 * @param sudo whether the user may run any command through sudo
 * @param groups supplementary groups
 */
public record UserAccount(
    String name, List<String> sshKeys, Optional<Secret> password, boolean sudo,
    List<String> groups) {
  public UserAccount {
    Objects.requireNonNull(name, "name");
    sshKeys = List.copyOf(sshKeys);
    Objects.requireNonNull(password, "password");
    groups = List.copyOf(groups);
  }
}
