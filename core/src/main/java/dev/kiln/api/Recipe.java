package dev.kiln.api;

import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What template to build: the OS, where it comes from, the build machine, the installer's
 * answers, provisioning, generalisation, the artifacts to write, the tests the verify boot runs
 * and where to publish them.
 * Immutable; load one from YAML with {@code dev.kiln.core.Recipes} or assemble it with {@link #builder}.
 */
public final class Recipe {
  private final String name;
  private final OsSelection os;
  private final Source source;
  private final MachineSettings machine;
  private final Answers answers;
  private final List<ProvisionStep> provisioning;
  private final GuestIntegration guestIntegration;
  private final GeneralizeOptions generalize;
  private final SecurityPolicy security;
  private final java.util.Optional<HardeningScan> hardening;
  private final java.util.Set<Checksum.Algorithm> checksums;
  private final List<OutputSpec> outputs;
  private final List<PublishTarget> publish;
  private final List<TemplateTest> tests;
  private final java.util.Map<String, Secret> sensitiveVariables;

  private Recipe(Builder b) {
    this.name = b.name;
    this.os = b.os;
    this.source = b.source;
    this.machine = b.machine;
    this.answers = b.answers;
    this.provisioning = List.copyOf(b.provisioning);
    this.guestIntegration = b.guestIntegration;
    this.generalize = b.generalize;
    this.security = b.security;
    this.hardening = b.hardening;
    this.checksums = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(
        b.checksums));
    this.outputs = List.copyOf(b.outputs);
    this.publish = List.copyOf(b.publish);
    this.tests = List.copyOf(b.tests);
    this.sensitiveVariables = java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(b.sensitiveVariables));
  }

  /** Starts a recipe for {@code os} built from {@code source}. */
  public static Builder builder(OsSelection os, Source source) {
    return new Builder(os, source);
  }

  public Builder toBuilder() {
    Builder b = new Builder(os, source).name(name).machine(machine).answers(answers)
        .guestIntegration(guestIntegration).generalize(generalize).security(security)
        .checksums(checksums);
    hardening.ifPresent(b::hardening);
    provisioning.forEach(b::addProvisionStep);
    outputs.forEach(b::addOutput);
    publish.forEach(b::addPublishTarget);
    tests.forEach(b::addTest);
    sensitiveVariables.forEach(b::addSensitiveVariable);
    return b;
  }

  /** The template's base name, used for artifact files and CloudStack template names. */
  public String name() {
    return name;
  }

  public OsSelection os() {
    return os;
  }

  public Source source() {
    return source;
  }

  public MachineSettings machine() {
    return machine;
  }

  public Answers answers() {
    return answers;
  }

  public List<ProvisionStep> provisioning() {
    return provisioning;
  }

  public GuestIntegration guestIntegration() {
    return guestIntegration;
  }

  public GeneralizeOptions generalize() {
    return generalize;
  }

  /** The OpenSCAP hardening scan the build runs before generalizing; empty: none. */
  public java.util.Optional<HardeningScan> hardening() {
    return hardening;
  }

  /** What the build does about pending security updates (report only, by default). */
  public SecurityPolicy security() {
    return security;
  }

  /**
   * The digests of every artifact the build computes as it writes them and lists in sums files
   * (SHA256SUMS, sha512sum.txt, MD5SUMS) and the manifest: SHA-256 always (CloudStack's
   * registration and the provenance need it), SHA-512 and MD5 when asked.
   */
  public java.util.Set<Checksum.Algorithm> checksums() {
    return checksums;
  }

  /** The artifacts to write; never empty. */
  public List<OutputSpec> outputs() {
    return outputs;
  }

  public List<PublishTarget> publish() {
    return publish;
  }

  /**
   * The values of the recipe's variables marked {@code sensitive}, by variable name: already
   * substituted where the recipe refers to them, and kept here so the build log masks them and
   * the export refuses a disk that holds one.
   */
  public java.util.Map<String, Secret> sensitiveVariables() {
    return sensitiveVariables;
  }

  /** The recipe's own tests, run in the verify boot. */
  public List<TemplateTest> tests() {
    return tests;
  }

  @Override
  public String toString() {
    String text = "Recipe{name=" + name + ", os=" + os + ", source=" + source + ", machine=" + machine
        + ", answers=" + answers + ", provisioning=" + provisioning + ", guestIntegration="
        + guestIntegration + ", generalize=" + generalize + ", security=" + security
        + hardening.map(h -> ", hardening=" + h).orElse("") + ", outputs=" + outputs
        + ", publish=" + publish + ", tests=" + tests + "}";
    // a sensitive variable's value may sit inside a provision command or an answer
    for (Secret s : sensitiveVariables.values()) {
      try {
        String value = s.reveal(); // a variable's value is held, so this cannot fail
        if (!value.isEmpty()) {
          text = text.replace(value, "****");
        }
      } catch (KilnException e) {
        return "Recipe{name=" + name + ", os=" + os + ", (details hidden: " + e.getMessage()
            + ")}";
      }
    }
    return text;
  }

  /** Builder for {@link Recipe}. */
  public static final class Builder {
    private String name;
    private final OsSelection os;
    private final Source source;
    private MachineSettings machine = MachineSettings.DEFAULTS;
    private Answers answers = Answers.DEFAULTS;
    private final List<ProvisionStep> provisioning = new ArrayList<>();
    private GuestIntegration guestIntegration = GuestIntegration.CLOUD_INIT;
    private GeneralizeOptions generalize = GeneralizeOptions.DEFAULTS;
    private SecurityPolicy security = SecurityPolicy.DEFAULTS;
    private java.util.Optional<HardeningScan> hardening = java.util.Optional.empty();
    private java.util.Set<Checksum.Algorithm> checksums = java.util.EnumSet.of(
        Checksum.Algorithm.SHA256);
    private final List<OutputSpec> outputs = new ArrayList<>();
    private final List<PublishTarget> publish = new ArrayList<>();
    private final List<TemplateTest> tests = new ArrayList<>();
    private final java.util.Map<String, Secret> sensitiveVariables =
        new java.util.LinkedHashMap<>();

    private Builder(OsSelection os, Source source) {
      this.os = Objects.requireNonNull(os, "os");
      this.source = Objects.requireNonNull(source, "source");
      this.name = os.id() + "-" + os.version();
    }

    public Builder name(String name) {
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
        throw new IllegalArgumentException(
            "name must be 1-128 of letters, digits, '.', '_' or '-', starting alphanumeric");
      }
      this.name = name;
      return this;
    }

    public Builder machine(MachineSettings machine) {
      this.machine = Objects.requireNonNull(machine);
      return this;
    }

    public Builder answers(Answers answers) {
      this.answers = Objects.requireNonNull(answers);
      return this;
    }

    public Builder addTest(TemplateTest test) {
      tests.add(Objects.requireNonNull(test));
      return this;
    }

    public Builder addProvisionStep(ProvisionStep step) {
      provisioning.add(Objects.requireNonNull(step));
      return this;
    }

    public Builder guestIntegration(GuestIntegration guestIntegration) {
      this.guestIntegration = Objects.requireNonNull(guestIntegration);
      return this;
    }

    /** Digests besides SHA-256 (which is always computed): SHA-512, MD5. SHA-1 is refused. */
    public Builder checksums(java.util.Set<Checksum.Algorithm> algorithms) {
      java.util.EnumSet<Checksum.Algorithm> s = java.util.EnumSet.of(Checksum.Algorithm.SHA256);
      s.addAll(algorithms);
      if (s.contains(Checksum.Algorithm.SHA1)) {
        throw new IllegalArgumentException("artifacts are digested with SHA-256, SHA-512 or "
            + "MD5, not SHA-1");
      }
      this.checksums = s;
      return this;
    }

    public Builder generalize(GeneralizeOptions generalize) {
      this.generalize = Objects.requireNonNull(generalize);
      return this;
    }

    /** What the build does about pending security updates (see {@link SecurityPolicy}). */
    public Builder security(SecurityPolicy security) {
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** An OpenSCAP hardening scan before generalizing (see {@link HardeningScan}). */
    public Builder hardening(HardeningScan hardening) {
      this.hardening = java.util.Optional.of(Objects.requireNonNull(hardening, "hardening"));
      return this;
    }

    /** A sensitive variable's value (see {@link Recipe#sensitiveVariables()}). */
    public Builder addSensitiveVariable(String name, Secret value) {
      sensitiveVariables.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    /** Replaces the artifacts to write (e.g. a command line's choice of formats). */
    public Builder outputs(List<OutputSpec> replacement) {
      outputs.clear();
      replacement.forEach(this::addOutput);
      return this;
    }

    public Builder addOutput(OutputSpec output) {
      outputs.add(Objects.requireNonNull(output));
      return this;
    }

    public Builder addPublishTarget(PublishTarget target) {
      publish.add(Objects.requireNonNull(target));
      return this;
    }

    /** Builds the recipe; without outputs it defaults to one qcow2 for KVM. */
    public Recipe build() {
      if (outputs.isEmpty()) {
        outputs.add(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE));
      }
      return new Recipe(this);
    }
  }
}
