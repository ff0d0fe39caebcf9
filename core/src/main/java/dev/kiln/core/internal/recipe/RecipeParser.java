package dev.kiln.core.internal.recipe;

import dev.kiln.api.Answers;
import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.DidYouMean;
import dev.kiln.api.GeneralizeOptions.RootPasswordPolicy;
import dev.kiln.api.GeneralizeOptions;
import dev.kiln.api.GuestIntegration;
import dev.kiln.api.InvalidRecipeException;
import dev.kiln.api.MachineSettings;
import dev.kiln.api.OsSelection;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.Recipe;
import dev.kiln.api.Source;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns recipe YAML into a {@link Recipe}, validating as it reads: every problem in the file is
 * collected (with line, column and field) and thrown together in one
 * {@link InvalidRecipeException}. The recipe format is documented in {@code docs/recipes.md}.
 */
public final class RecipeParser {
  /** Top-level keys in documentation order. */
  public static final List<String> TOP_LEVEL_KEYS = List.of("variables", "name", "os", "source",
      "machine", "answers", "provision", "integration", "generalize", "security", "hardening",
      "outputs", "checksums", "publish", "tests");

  private static final Duration MAX_STEP = Duration.ofHours(12);
  private static final String NAME_RULE = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private final Problems problems;
  private final Path baseDir;
  private final Map<String, List<String>> knownOs;
  private final Map<String, dev.kiln.api.KnownOs> osRules;
  private final boolean checkLocal;
  private final LocalFiles localFiles;
  private final Map<String, String> variables;
  private RecipeVariables resolved;

  private RecipeParser(String fileName, Path baseDir, Map<String, List<String>> knownOs,
      boolean checkLocal, Map<String, String> variables) {
    this(fileName, baseDir, knownOs.entrySet().stream().map(e -> new dev.kiln.api.KnownOs(
        e.getKey(), e.getValue(), true, Optional.empty())).toList(), checkLocal, variables);
  }

  private RecipeParser(String fileName, Path baseDir, List<dev.kiln.api.KnownOs> known,
      boolean checkLocal, Map<String, String> variables) {
    this.problems = new Problems(fileName);
    this.baseDir = baseDir;
    this.localFiles = new LocalFiles(baseDir, checkLocal);
    this.osRules = new java.util.LinkedHashMap<>();
    known.forEach(k -> osRules.put(k.id(), k));
    Map<String, List<String>> versions = new java.util.LinkedHashMap<>();
    known.forEach(k -> versions.put(k.id(), k.versions()));
    this.knownOs = versions;
    this.checkLocal = checkLocal;
    this.variables = Map.copyOf(variables);
  }

  /** Parses and validates; see {@link dev.kiln.core.Recipes#parse}. */
  public static Recipe parse(String yaml, String fileName, Path baseDir)
      throws InvalidRecipeException {
    return parse(yaml, fileName, baseDir, Map.of(), false);
  }

  /**
   * As {@link #parse(String, String, Path)}, also checking {@code os} against {@code knownOs}
   * (OS id → its versions; empty: no check), with a did-you-mean for a misspelt id, and with
   * {@code checkLocal} what a build on this machine needs: local files the recipe names exist
   * (scripts, uploads, secret files, a local ISO or image) and environment secrets are set.
   */
  public static Recipe parse(String yaml, String fileName, Path baseDir,
      Map<String, List<String>> knownOs, boolean checkLocal) throws InvalidRecipeException {
    return parse(yaml, fileName, baseDir, knownOs, checkLocal, Map.of());
  }

  /**
   * As {@link #parse(String, String, Path, Map, boolean)}, with values for the recipe's
   * {@code variables} given from outside it (name to value); see {@link RecipeVariables}.
   */
  public static Recipe parse(String yaml, String fileName, Path baseDir,
      Map<String, List<String>> knownOs, boolean checkLocal, Map<String, String> variables)
      throws InvalidRecipeException {
    return new RecipeParser(fileName, baseDir, knownOs, checkLocal, variables).parse(yaml);
  }

  /**
   * As {@link #parse(String, String, Path, Map, boolean, Map)} with what a catalog knows of each
   * OS: also refuses source kinds the OS cannot use and a missing vendor registration.
   */
  public static Recipe parse(String yaml, String fileName, Path baseDir,
      List<dev.kiln.api.KnownOs> knownOs, boolean checkLocal, Map<String, String> variables)
      throws InvalidRecipeException {
    return new RecipeParser(fileName, baseDir, knownOs, checkLocal, variables).parse(yaml);
  }

  /** A var file's values; see {@link RecipeVariables#readFile}. */
  public static Map<String, String> parseVariableFile(String yaml, String fileName)
      throws InvalidRecipeException {
    return RecipeVariables.readFile(yaml, fileName);
  }

  private Recipe parse(String yaml) throws InvalidRecipeException {
    YamlNode root = new YamlTreeReader(problems).read(yaml);
    if (root instanceof YamlNode.MapNode map) {
      // a build reads KILN_VAR_* from its environment; a plain parse depends on nothing outside
      resolved = RecipeVariables.resolve(map, variables, checkLocal ? System::getenv : n -> null,
          problems);
      problems.mask(resolved::mask);
      root = resolved.substitute(root, "");
    } else if (root != null && !variables.isEmpty()) {
      problems.add(0, 0, "", "values were given for variables, but the recipe is not a map");
    }
    Recipe recipe = null;
    if (root != null) {
      MapReader top = MapReader.of(root, "", problems);
      if (top != null) {
        recipe = readRecipe(top);
        top.finish();
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRecipeException(problems.sorted());
    }
    return recipe;
  }

  private Recipe readRecipe(MapReader top) {
    top.rawValue(RecipeVariables.KEY); // read by RecipeVariables
    Optional<String> name = top.string("name", NAME_RULE,
        "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    OsSelection os = top.map("os").map(this::readOs).orElse(null);
    if (!top.has("os")) {
      top.problem("os", "missing required field (e.g. os: {id: debian, version: \"12\"})");
    }
    SourceReader files = new SourceReader(problems, localFiles);
    Source source = top.map("source").map(files::read).orElse(null);
    if (!top.has("source")) {
      top.problem("source", "missing required field: one of iso, cloudImage, debootstrap");
    }
    MachineSettings machine = top.map("machine").map(MachineReader::read)
        .orElse(MachineSettings.DEFAULTS);
    Answers answers = top.map("answers").map(new AnswersReader(baseDir, checkLocal)::read)
        .orElse(Answers.DEFAULTS);
    List<ProvisionStep> steps = top.list("provision", MapReader.mapItems(this::readStep));
    GuestIntegration integration =
        top.enumValue("integration", GuestIntegration.class, GuestIntegration.CLOUD_INIT);
    GeneralizeOptions generalize = top.map("generalize").map(this::readGeneralize)
        .orElse(GeneralizeOptions.DEFAULTS);
    dev.kiln.api.SecurityPolicy security = top.map("security").map(RecipeParser::readSecurity)
        .orElse(dev.kiln.api.SecurityPolicy.DEFAULTS);
    Optional<dev.kiln.api.HardeningScan> hardening = top.map("hardening")
        .map(new HardeningReader(files)::read);
    List<OutputSpec> outputs = top.list("outputs", MapReader.mapItems(this::readOutput));
    if (top.has("outputs") && outputs.isEmpty() && problems.isEmpty()) {
      top.problem("outputs", "needs at least one output");
    }
    List<PublishTarget> publish = top.list("publish", MapReader.mapItems(this::readPublish));
    java.util.Set<dev.kiln.api.Checksum.Algorithm> checksums = checksums(top);
    List<dev.kiln.api.TemplateTest> tests = top.list("tests",
        MapReader.mapItems(TemplateTestReader::read));
    for (OutputSpec o : outputs) {
      // a disk the output format cannot hold would fail only at export, after the install
      try {
        dev.kiln.formats.FormatLimits.check(o.format(), dev.kiln.formats.registry.FormatRegistry
            .standard().codec(o.format()).maxVirtualSize(), machine.diskSizeBytes());
      } catch (dev.kiln.formats.FormatLimitException e) {
        top.problem(top.has("machine") ? "machine" : "outputs",
            "machine.diskSize does not fit the " + MapReader.spell(o.format()) + " output: "
            + e.getMessage());
      }
    }

    if (os != null && source != null) {
      checkAgainstCatalog(top, os, source, answers);
    }
    if (os == null || source == null || !problems.isEmpty()) {
      return null;
    }
    Recipe.Builder b = Recipe.builder(os, source).machine(machine).answers(answers)
        .guestIntegration(integration).generalize(generalize).security(security);
    name.ifPresent(b::name);
    hardening.ifPresent(b::hardening);
    steps.forEach(b::addProvisionStep);
    outputs.forEach(b::addOutput);
    publish.forEach(b::addPublishTarget);
    tests.forEach(b::addTest);
    b.checksums(checksums);
    resolved.sensitive().forEach((n, v) -> b.addSensitiveVariable(n, dev.kiln.api.Secret.of(v)));
    return b.build();
  }

  /** What the catalog knows of the OS that makes this recipe one that can never build. */
  private void checkAgainstCatalog(MapReader top, OsSelection os, Source source,
      Answers answers) {
    dev.kiln.api.KnownOs rules = osRules.get(os.id());
    if (rules == null) {
      return;
    }
    if (source instanceof DebootstrapSource && !rules.debootstrap()) {
      top.problem("source", "a debootstrap source builds only Debian and Ubuntu (apt) systems, "
          + "not " + os.id() + "; use source.iso or source.cloudImage");
    }
    if (rules.registration().isPresent() && answers.registration().isEmpty()) {
      top.problem(top.has("answers") ? "answers" : "os", os.id() + " needs answers."
          + "registration (key: its " + rules.registration().get() + ", from the environment "
          + "or a file) for its vendor's package repositories, from which the build installs "
          + "the CloudStack integration");
    }
  }

  /** {@code checksums: [sha256, sha512, md5]}: the artifacts' digests (SHA-256 always). */
  private static java.util.Set<dev.kiln.api.Checksum.Algorithm> checksums(MapReader top) {
    java.util.Set<dev.kiln.api.Checksum.Algorithm> out = java.util.EnumSet.noneOf(
        dev.kiln.api.Checksum.Algorithm.class);
    List<String> names = top.stringList("checksums");
    for (int i = 0; i < names.size(); i++) {
      switch (names.get(i).toLowerCase(java.util.Locale.ROOT)) {
        case "sha256" -> out.add(dev.kiln.api.Checksum.Algorithm.SHA256);
        case "sha512" -> out.add(dev.kiln.api.Checksum.Algorithm.SHA512);
        case "md5" -> out.add(dev.kiln.api.Checksum.Algorithm.MD5);
        default -> top.problem("checksums", "'" + names.get(i) + "' is not a checksum Kiln "
            + "writes" + DidYouMean.suggest(names.get(i), List.of("sha256", "sha512", "md5"))
                .map(g -> " (did you mean '" + g + "'?)").orElse("") + "; use sha256, sha512 "
            + "or md5");
      }
    }
    return out;
  }

  private OsSelection readOs(MapReader m) {
    String id = m.requiredString("id");
    String version = m.requiredString("version");
    m.finish();
    if (id != null && !id.matches("[a-z][a-z0-9-]*")) {
      m.problem("id", "must be a catalog id in lower case, e.g. debian, ubuntu, almalinux");
      return null;
    }
    if (id != null && !knownOs.isEmpty() && !knownOs.containsKey(id)) {
      m.problem("id", "'" + id + "' is not an OS Kiln knows" + DidYouMean.suggest(id,
          knownOs.keySet()).map(g -> " (did you mean '" + g + "'?)").orElse("")
          + "; kiln list shows them all");
      return null;
    }
    if (id != null && version != null && !knownOs.isEmpty()
        && !knownOs.get(id).contains(version)) {
      m.problem("version", id + " " + version + " is not in the catalog; its versions are "
          + String.join(", ", knownOs.get(id)));
      return null;
    }
    return id == null || version == null ? null : new OsSelection(id, version);
  }

  // ---- provisioning -----------------------------------------------------------------------

  private ProvisionStep readStep(MapReader m) {
    List<String> kind = m.exactlyOneOf("shell", "script", "upload", "reboot", "packages");
    Duration timeout = m.duration("timeout", Duration.ofMinutes(30), MAX_STEP);
    if (kind.size() != 1) {
      return null;
    }
    switch (kind.get(0)) {
      case "shell":
        return m.string("shell")
            .map(text -> new ProvisionStep.Shell(Optional.of(text), Optional.empty(), timeout))
            .orElse(null);
      case "script":
        return m.string("script").map(f -> new ProvisionStep.Shell(Optional.empty(),
            Optional.of(localFiles.resolve(m, "script", f)), timeout)).orElse(null);
      case "upload": {
        MapReader u = m.map("upload").orElse(null);
        if (u == null) {
          return null;
        }
        String source = u.requiredString("source");
        String destination = u.requiredString("destination");
        if (destination != null && !destination.startsWith("/")) {
          u.problem("destination", "must be an absolute path in the guest");
          destination = null;
        }
        u.finish();
        return source == null || destination == null ? null
            : new ProvisionStep.Upload(localFiles.resolve(u, "source", source), destination);
      }
      case "reboot":
        if (!m.bool("reboot", true)) {
          m.problem("reboot", "write 'reboot: true' or leave the step out");
        }
        return new ProvisionStep.Reboot(timeout);
      default: {
        MapReader p = m.map("packages").orElse(null);
        if (p == null) {
          return null;
        }
        List<String> install = AnswersReader.packageList(p, "install");
        boolean upgrade = p.bool("upgrade", false);
        p.finish();
        return new ProvisionStep.Packages(install, upgrade);
      }
    }
  }

  // ---- generalize, outputs, publish --------------------------------------------------------

  private GeneralizeOptions readGeneralize(MapReader m) {
    boolean enabled = m.bool("enabled", true);
    List<String> skip = m.list("skip", (v, path, p) -> {
      String op = MapReader.readString(v, path, p);
      if (op != null && !GeneralizeOptions.OPERATIONS.contains(op)) {
        p.add(v.line(), v.column(), path, "unknown operation '" + op + "'"
            + DidYouMean.suggest(op, GeneralizeOptions.OPERATIONS)
                .map(s -> " (did you mean '" + s + "'?)")
                .orElse("; known: " + String.join(", ", GeneralizeOptions.OPERATIONS)));
        return null;
      }
      return op;
    });
    RootPasswordPolicy root =
        m.enumValue("rootPassword", RootPasswordPolicy.class, RootPasswordPolicy.LOCK);
    boolean trim = m.bool("trimFreeSpace", true);
    m.finish();
    return new GeneralizeOptions(enabled, new LinkedHashSet<>(skip), root, trim);
  }

  /** {@code security: {updates: apply|report, maxPending: N}}. */
  private static dev.kiln.api.SecurityPolicy readSecurity(MapReader m) {
    dev.kiln.api.SecurityPolicy.Updates updates = m.enumValue("updates",
        dev.kiln.api.SecurityPolicy.Updates.class, dev.kiln.api.SecurityPolicy.Updates.REPORT);
    java.util.OptionalInt max = m.has("maxPending")
        ? java.util.OptionalInt.of((int) m.integer("maxPending", 0, 100_000, 0))
        : java.util.OptionalInt.empty();
    m.finish();
    return new dev.kiln.api.SecurityPolicy(updates == null
        ? dev.kiln.api.SecurityPolicy.Updates.REPORT : updates, max);
  }

  private OutputSpec readOutput(MapReader m) {
    TargetHypervisor hv = m.enumValue("hypervisor", TargetHypervisor.class, null);
    if (!m.has("hypervisor")) {
      m.problem("hypervisor", "missing required field: kvm, xenserver, vmware, hyperv or ovm");
    }
    ImageFormat format = m.enumValue("format", ImageFormat.class, null);
    Packaging compression = m.enumValue("compression", Packaging.class, Packaging.NONE,
        c -> c.suffix().isEmpty() ? List.of() : List.of(c.suffix().substring(1)));
    if (hv == null) {
      return null;
    }
    if (format == null && !m.has("format")) {
      format = hv.formats().contains(ImageFormat.QCOW2) ? ImageFormat.QCOW2
          : hv.formats().iterator().next();
      if (hv == TargetHypervisor.HYPERV) {
        format = ImageFormat.VHDX;
      }
    }
    if (format == null) {
      return null;
    }
    if (!hv.formats().contains(format)) {
      List<String> allowed = new ArrayList<>();
      hv.formats().forEach(f -> allowed.add(MapReader.spell(f)));
      java.util.Collections.sort(allowed);
      m.problem("format", MapReader.spell(hv) + " does not take " + MapReader.spell(format)
          + "; use " + String.join(" or ", allowed));
      return null;
    }
    if (format == ImageFormat.OVA && compression != Packaging.NONE) {
      m.problem("compression", "an OVA is already packaged; use compression: none");
      return null;
    }
    return new OutputSpec(hv, format, compression);
  }

  private PublishTarget readPublish(MapReader m) {
    String profile = m.string("profile").orElse("default");
    List<String> zones = m.stringList("zones");
    String osType = m.requiredString("osType");
    PublishTarget.Mode mode = m.enumValue("mode", PublishTarget.Mode.class, PublishTarget.Mode.URL);
    Optional<URI> serveFrom = m.string("serveFrom")
        .map(t -> SourceReader.toUri(m, "serveFrom", t, Set.of("http")));
    if (mode == PublishTarget.Mode.URL && !m.has("serveFrom")) {
      m.problem("serveFrom", "URL registration needs the address Kiln serves artifacts from, "
          + "e.g. serveFrom: http://10.0.0.5:8080 (or use mode: upload)");
    }
    Optional<String> offering = m.string("smokeOffering");
    long keep = m.integer("keep", 1, 1000, 0);
    if (osType == null || (mode == PublishTarget.Mode.URL && serveFrom.isEmpty())) {
      return null;
    }
    return new PublishTarget(profile, zones, osType, mode, serveFrom, offering,
        keep == 0 ? OptionalInt.empty() : OptionalInt.of((int) keep));
  }
}
