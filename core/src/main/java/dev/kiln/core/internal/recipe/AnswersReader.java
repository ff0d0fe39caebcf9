package dev.kiln.core.internal.recipe;

import dev.kiln.api.Answers;
import dev.kiln.api.Partitioning;
import dev.kiln.api.Secret;
import dev.kiln.api.UserAccount;
import dev.kiln.core.internal.recipe.YamlNode.Scalar;
import dev.kiln.core.internal.recipe.YamlNode.ScalarType;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The recipe's {@code answers:} section (what the installer is told: users, root password,
 * locale, packages, …) and package lists, which other sections share.
 */
final class AnswersReader {
  static final String PACKAGE_RULE = "[A-Za-z0-9][A-Za-z0-9.+:_~-]*";
  static final String USER_RULE = "[a-z_][a-z0-9_-]{0,31}";
  /** Where files named by the recipe (secrets in files) are found. */
  private final Path baseDir;
  private final boolean checkLocal;

  /** {@code checkLocal}: secret files must exist and environment secrets be set, now. */
  AnswersReader(Path baseDir, boolean checkLocal) {
    this.baseDir = baseDir;
    this.checkLocal = checkLocal;
  }

  Answers read(MapReader m) {
    Answers.Builder b = Answers.builder();
    List<UserAccount> users = m.list("users", MapReader.mapItems(this::readUser));
    Set<String> seen = new LinkedHashSet<>();
    for (UserAccount u : users) {
      if (!seen.add(u.name())) {
        m.problem("users", "user '" + u.name() + "' is listed twice");
      }
      b.addUser(u);
    }
    readSecret(m, "rootPassword").ifPresent(b::rootPassword);
    m.string("locale", "[A-Za-z]{1,8}(_[A-Za-z]{2})?(\\.[A-Za-z0-9-]+)?(@[a-z]+)?",
        "must be a POSIX locale such as en_US.UTF-8").ifPresent(b::locale);
    m.string("keyboard", "[a-z]{2,8}([-_][a-z0-9]+)*", "must be a layout such as us or de")
        .ifPresent(b::keyboard);
    m.string("timezone", "[A-Za-z]+(/[A-Za-z0-9_+-]+)*",
        "must be an IANA time zone such as UTC or Europe/Berlin").ifPresent(b::timezone);
    b.addPackages(packageList(m, "packages"));
    b.partitioning(m.enumValue("partitioning", Partitioning.class, Partitioning.SINGLE_ROOT));
    m.map("registration").map(r -> {
      Optional<String> org = r.string("organization", "[A-Za-z0-9@._+-]{1,128}",
          "must be an organization id or e-mail address");
      Optional<Secret> key = readSecret(r, "key");
      if (key.isEmpty()) {
        r.problem("key", "registration needs a key (activation key or registration code)");
      }
      r.finish();
      return key.map(k -> new dev.kiln.api.Registration(org, k)).orElse(null);
    }).ifPresent(b::registration);
    m.finish();
    return b.build();
  }

  private UserAccount readUser(MapReader m) {
    String name = m.requiredString("name");
    if (name != null && !name.matches(USER_RULE)) {
      m.problem("name", "must be a login name: lower-case letters, digits, '_' or '-', at most 32");
      name = null;
    }
    List<String> keys = m.list("sshKeys", (v, path, p) -> {
      String key = MapReader.readString(v, path, p);
      if (key != null && !key.matches("(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\\d+|sk-\\S+) "
          + "[A-Za-z0-9+/=]+( [^\\r\\n]*)?")) {
        p.add(v.line(), v.column(), path, "not an SSH public key (expected 'ssh-ed25519 AAAA… "
            + "comment' on one line)");
        return null;
      }
      return key;
    });
    Optional<Secret> password = readSecret(m, "password");
    boolean sudo = m.bool("sudo", false);
    List<String> groups = m.list("groups", (v, path, p) -> {
      String g = MapReader.readString(v, path, p);
      if (g != null && !g.matches(USER_RULE)) {
        p.add(v.line(), v.column(), path, "not a group name: '" + g + "'");
        return null;
      }
      return g;
    });
    return name == null ? null : new UserAccount(name, keys, password, sudo, groups);
  }

  /** A secret: inline text, {@code {env: NAME}} or {@code {file: path}}. */
  private Optional<Secret> readSecret(MapReader m, String key) {
    if (!m.has(key)) {
      return Optional.empty();
    }
    Optional<MapReader> asMap = Optional.empty();
    Optional<String> asText = Optional.empty();
    YamlNode probe = m.rawValue(key);
    if (probe instanceof Scalar s && s.type() == ScalarType.STRING) {
      asText = m.string(key);
    } else if (probe instanceof YamlNode.MapNode) {
      asMap = m.map(key);
    } else {
      m.problem(key, "expected text or {env: VARIABLE} or {file: path}, found "
          + probe.kind());
      return Optional.empty();
    }
    if (asText.isPresent()) {
      return Optional.of(Secret.of(asText.get()));
    }
    MapReader s = asMap.get();
    List<String> kind = s.exactlyOneOf("env", "file");
    Optional<Secret> out = Optional.empty();
    if (kind.size() == 1 && kind.get(0).equals("env")) {
      out = s.string("env", "[A-Za-z_][A-Za-z0-9_]*", "must be an environment variable name")
          .map(v -> {
            if (checkLocal && System.getenv(v) == null) {
              s.problem("env", v + " is not set in this environment; the build reads the "
                  + "secret from it, so export it first");
            }
            return Secret.fromEnvironment(v);
          });
    } else if (kind.size() == 1) {
      out = s.string("file").map(f -> {
        Path file = baseDir.resolve(f);
        if (checkLocal && !java.nio.file.Files.isReadable(file)) {
          s.problem("file", "no readable file " + file + " (relative paths start at the "
              + "recipe's folder)");
        }
        return Secret.fromFile(file);
      });
    }
    s.finish();
    return out;
  }

  static List<String> packageList(MapReader m, String key) {
    return m.list(key, (v, path, p) -> {
      String name = MapReader.readString(v, path, p);
      if (name != null && !name.matches(PACKAGE_RULE)) {
        p.add(v.line(), v.column(), path, "not a package name: '" + name + "'");
        return null;
      }
      return name;
    });
  }
}
