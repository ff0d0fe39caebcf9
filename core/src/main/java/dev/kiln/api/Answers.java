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

  /** A builder starting from the defaults: C.UTF-8, us keyboard, UTC, one root partition. */
  public static Builder builder() {
    return new Builder();
  }

  /** The accounts the installer creates besides root. */
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

  /** How the installer lays out the disk. */
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

    /** Adds an account the installer creates. */
    public Builder addUser(UserAccount user) {
      users.add(Objects.requireNonNull(user));
      return this;
    }

    /** Root's password; kept out of every log, event and manifest. */
    public Builder rootPassword(Secret password) {
      this.rootPassword = Optional.of(password);
      return this;
    }

    /** The system locale, e.g. {@code en_US.UTF-8}. */
    public Builder locale(String locale) {
      this.locale = Objects.requireNonNull(locale);
      return this;
    }

    /** The console keyboard layout, e.g. {@code us}. */
    public Builder keyboard(String keyboard) {
      this.keyboard = Objects.requireNonNull(keyboard);
      return this;
    }

    /** The time zone, e.g. {@code UTC} or {@code Europe/Berlin}. */
    public Builder timezone(String timezone) {
      this.timezone = Objects.requireNonNull(timezone);
      return this;
    }

    /** Adds packages the installer installs. */
    public Builder addPackages(List<String> names) {
      packages.addAll(names);
      return this;
    }

    /** The vendor registration (RHEL's activation key, SUSE's registration code). */
    public Builder registration(Registration registration) {
      this.registration = Optional.of(registration);
      return this;
    }

    /** Sets how the installer lays out the disk. */
    public Builder partitioning(Partitioning partitioning) {
      this.partitioning = Objects.requireNonNull(partitioning);
      return this;
    }

    /** The answers, immutable. */
    public Answers build() {
      return new Answers(this);
    }
  }
}
