package dev.kiln.templates.internal;

import dev.kiln.api.Answers;
import dev.kiln.api.Firmware;
import dev.kiln.api.KilnException;
import dev.kiln.api.Partitioning;
import dev.kiln.api.Recipe;
import dev.kiln.api.Registration;
import dev.kiln.api.UserAccount;
import dev.kiln.templates.values.AnswerValueException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The recipe's answers checked against what every answer language can carry, with passwords
 * already hashed (SHA-512 crypt). Renderers only see these values; anything that could break
 * out of a field was refused here with the field's name.
 */
public record AnswerValues(List<User> users, Optional<String> rootPasswordHash, String locale,
    String keyboard, String timezone, List<String> packages, Partitioning partitioning,
    Firmware firmware, Optional<RegistrationValues> registration) {
  static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  static final Pattern SSH_KEY = Pattern.compile("(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|"
      + "521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) "
      + "[A-Za-z0-9+/]+={0,3}( [^\\p{Cntrl}]*)?");
  static final Pattern LOCALE = Pattern.compile("C(\\.UTF-8)?|[a-z]{2,3}_[A-Z]{2}(\\.UTF-8)?"
      + "(@[a-z]+)?");
  static final Pattern KEYBOARD = Pattern.compile("[a-z]{2,8}(-[a-z0-9]{1,16})?");
  static final Pattern TIMEZONE = Pattern.compile("UTC|[A-Z][A-Za-z_+-]*(/[A-Za-z0-9_+-]+){1,2}");
  static final Pattern PACKAGE = Pattern.compile("@?\\^?[a-zA-Z0-9][a-zA-Z0-9.+_-]{0,127}");
  static final Pattern ORGANIZATION = Pattern.compile("[A-Za-z0-9@._+-]{1,128}");
  static final Pattern REG_KEY = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** A user with validated values. */
  public record User(String name, List<String> sshKeys, Optional<String> passwordHash,
      boolean sudo, List<String> groups) {}

  /** Registration with the key revealed (it goes into the answer file and nowhere else). */
  public record RegistrationValues(Optional<String> organization, String key) {
    @Override
    public String toString() {
      return "RegistrationValues[organization=" + organization + ", key=****]";
    }
  }

  public static AnswerValues of(Recipe recipe) throws KilnException {
    Answers a = recipe.answers();
    List<User> users = new ArrayList<>();
    for (int i = 0; i < a.users().size(); i++) {
      UserAccount u = a.users().get(i);
      String f = "answers.users[" + i + "]";
      check(f + ".name", u.name(), USER, "a login name: lower-case letters, digits, _ or -");
      if (u.name().equals("root")) {
        throw new AnswerValueException(f + ".name", "root is configured with rootPassword, not "
            + "as a user");
      }
      for (int k = 0; k < u.sshKeys().size(); k++) {
        check(f + ".sshKeys[" + k + "]", u.sshKeys().get(k), SSH_KEY, "one SSH public key on "
            + "one line (type, base64, optional comment without control characters)");
      }
      for (int g = 0; g < u.groups().size(); g++) {
        check(f + ".groups[" + g + "]", u.groups().get(g), USER, "a group name");
      }
      Optional<String> hash = u.password().isPresent()
          ? Optional.of(u.password().get().sha512Crypt()) : Optional.empty();
      users.add(new User(u.name(), u.sshKeys(), hash, u.sudo(), u.groups()));
    }
    check("answers.locale", a.locale(), LOCALE, "a locale such as en_US.UTF-8 or C.UTF-8");
    check("answers.keyboard", a.keyboard(), KEYBOARD, "a keyboard layout such as us or de");
    check("answers.timezone", a.timezone(), TIMEZONE, "an IANA zone such as UTC or "
        + "Europe/Berlin");
    for (int i = 0; i < a.packages().size(); i++) {
      check("answers.packages[" + i + "]", a.packages().get(i), PACKAGE, "a package name");
    }
    Optional<RegistrationValues> reg = Optional.empty();
    if (a.registration().isPresent()) {
      Registration r = a.registration().get();
      if (r.organization().isPresent()) {
        check("answers.registration.organization", r.organization().get(), ORGANIZATION,
            "an organization id or e-mail address");
      }
      String key = r.key().reveal();
      if (!REG_KEY.matcher(key).matches()) { // never echo a secret's value
        throw new AnswerValueException("answers.registration.key", "must be letters, digits, "
            + "'.', '_' or '-' (1-128)");
      }
      reg = Optional.of(new RegistrationValues(r.organization(), key));
    }
    Optional<String> root = a.rootPassword().isPresent()
        ? Optional.of(a.rootPassword().get().sha512Crypt()) : Optional.empty();
    return new AnswerValues(List.copyOf(users), root, a.locale(), a.keyboard(), a.timezone(),
        a.packages(), a.partitioning(), recipe.machine().firmware(), reg);
  }

  private static void check(String field, String value, Pattern rule, String expected)
      throws AnswerValueException {
    if (value == null || !rule.matcher(value).matches()) {
      String shown = value == null ? "nothing" : "'" + value.replaceAll("\\p{Cntrl}", "?") + "'";
      throw new AnswerValueException(field, "must be " + expected + ", not " + shown);
    }
  }

  /** The POSIX locale an installer that lists real locales accepts ({@code C.UTF-8} as en_US). */
  public String installerLocale() {
    return locale.startsWith("C") ? "en_US.UTF-8" : locale.contains(".") ? locale
        : locale + ".UTF-8";
  }

  /** Users that may use sudo. */
  public List<User> sudoers() {
    return users.stream().filter(User::sudo).toList();
  }
}
