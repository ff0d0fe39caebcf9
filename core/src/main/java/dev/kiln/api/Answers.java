package dev.kiln.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What the installer is told: users, locale, time zone, packages and disk layout. */
public final class Answers {
  /** No users, C.UTF-8, US keyboard, UTC, single root filesystem. */
  public static final Answers DEFAULTS = builder().build();

  private final List<UserAccount> users;
  private final Optional<Secret> rootPassword;
  private final String locale;
  private final String keyboard;
  private final String timezone;
  private final List<String> packages;
  private final Partitioning partitioning;
  private final Optional<Registration> registration;

  private Answers(Builder b) {
    this.users = List.copyOf(b.users);
    this.rootPassword = b.rootPassword;
    this.locale = b.locale;
    this.keyboard = b.keyboard;
    this.timezone = b.timezone;
    this.registration = b.registration;
    this.packages = List.copyOf(b.packages);
    this.partitioning = b.partitioning;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<UserAccount> users() {
    return users;
  }

  /** The root password; empty means root login by password stays locked. */
  public Optional<Secret> rootPassword() {
    return rootPassword;
  }

  /** POSIX locale, e.g. {@code en_US.UTF-8}. */
  public String locale() {
    return locale;
  }

  /** Keyboard layout, e.g. {@code us}. */
  public String keyboard() {
    return keyboard;
  }

  /** IANA time zone, e.g. {@code Europe/Berlin}. */
  public String timezone() {
    return timezone;
  }

  /** Extra packages installed by the installer. */
  public List<String> packages() {
    return packages;
  }

  /** Vendor registration (RHEL, SLES), when the recipe gives one. */
  public Optional<Registration> registration() {
    return registration;
  }

  public Partitioning partitioning() {
    return partitioning;
  }

  @Override
  public String toString() {
    return "Answers{users=" + users + ", rootPassword=" + rootPassword + ", locale=" + locale
        + ", keyboard=" + keyboard + ", timezone=" + timezone + ", packages=" + packages
        + ", partitioning=" + partitioning + "}";
  }

  /** Builder for {@link Answers}. */
  public static final class Builder {
    private final List<UserAccount> users = new ArrayList<>();
    private Optional<Secret> rootPassword = Optional.empty();
    private String locale = "C.UTF-8";
    private String keyboard = "us";
    private String timezone = "UTC";
    private Optional<Registration> registration = Optional.empty();
    private final List<String> packages = new ArrayList<>();
    private Partitioning partitioning = Partitioning.SINGLE_ROOT;

    private Builder() {}

    public Builder addUser(UserAccount user) {
      users.add(Objects.requireNonNull(user));
      return this;
    }

    public Builder rootPassword(Secret password) {
      this.rootPassword = Optional.of(password);
      return this;
    }

    public Builder locale(String locale) {
      this.locale = Objects.requireNonNull(locale);
      return this;
    }

    public Builder keyboard(String keyboard) {
      this.keyboard = Objects.requireNonNull(keyboard);
      return this;
    }

    public Builder timezone(String timezone) {
      this.timezone = Objects.requireNonNull(timezone);
      return this;
    }

    public Builder addPackages(List<String> names) {
      packages.addAll(names);
      return this;
    }

    public Builder registration(Registration registration) {
      this.registration = Optional.of(registration);
      return this;
    }

    public Builder partitioning(Partitioning partitioning) {
      this.partitioning = Objects.requireNonNull(partitioning);
      return this;
    }

    public Answers build() {
      return new Answers(this);
    }
  }
}
