package dev.kiln.core.internal.pipeline;

import dev.kiln.api.Answers;
import dev.kiln.api.KilnException;
import dev.kiln.api.Recipe;
import dev.kiln.api.Secret;
import dev.kiln.api.UserAccount;
import java.util.Optional;

/**
 * What an OS install depends on besides the ISO, as one string for the install cache key:
 * answers (secrets as SHA-256 digests of their values, never the values), machine firmware and
 * disk size. Rendered answer files cannot serve, as password hashes are salted at random.
 */
final class InstallKey {
  private InstallKey() {}

  static String of(Recipe r) throws KilnException {
    Answers a = r.answers();
    StringBuilder b = new StringBuilder();
    for (UserAccount u : a.users()) {
      b.append("user ").append(u.name()).append(' ').append(u.sshKeys()).append(' ')
          .append(u.sudo()).append(' ').append(u.groups()).append(' ')
          .append(digest(u.password())).append('\n');
    }
    b.append("root ").append(digest(a.rootPassword())).append('\n');
    b.append(a.locale()).append(' ').append(a.keyboard()).append(' ').append(a.timezone())
        .append(' ').append(a.packages()).append(' ').append(a.partitioning()).append('\n');
    b.append(digest(a.registration().map(x -> x.key()))).append(' ')
        .append(a.registration().flatMap(x -> x.organization()).orElse("")).append('\n');
    b.append(r.machine().firmware()).append(' ').append(r.machine().secureBoot()).append(' ')
        .append(r.machine().diskSizeBytes()).append('\n');
    return b.toString();
  }

  private static String digest(Optional<Secret> secret) throws KilnException {
    return secret.isPresent() ? InstallStage.sha256(secret.get().reveal().getBytes(
        java.nio.charset.StandardCharsets.UTF_8)) : "-";
  }
}
