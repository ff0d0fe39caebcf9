package dev.kiln.cloudstack;

import dev.kiln.api.PublishException;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.formats.ImageFormat;
import dev.kiln.spi.Publisher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes a build's artifacts as CloudStack templates: one template per hypervisor artifact,
 * named {@code <family>-<hypervisor>-<version>} (family: OS, version, arch), tagged with the
 * build id, checksum, family and version (resource tags, never {@code templatetag}, which is a
 * host tag). It is idempotent: a re-run finds the template it already registered (by name), and
 * the same file published under another version is found by its checksum tag, so neither is
 * registered twice; a template an earlier run created but never finished uploading is replaced.
 * Before registering it checks that every zone has an Up host of the template's hypervisor
 * (CloudStack accepts a template no host could run and then never lists it). It waits until the template is ready in
 * every zone (copying it to the zones after the first), optionally smoke-tests it by deploying a
 * VM (deleting the template again when that fails), and keeps the newest N of the family.
 */
public final class CloudStackPublisher implements Publisher {
  /** Tag keys Kiln puts on its templates. */
  public static final String TAG_BUILD = "kiln-build";
  public static final String TAG_SHA256 = "kiln-sha256";
  public static final String TAG_FAMILY = "kiln-family";
  public static final String TAG_VERSION = "kiln-version";
  static final String TEMPLATE = "Template";

  private final CloudStackClient client;
  private final String family;
  private final String version;
  private final Duration readyTimeout;
  private final Duration pollInterval;
  private final Duration smokeTimeout;
  private final Optional<String> advertisedHost;

  private CloudStackPublisher(Builder b) {
    this.client = b.client;
    this.family = b.family;
    this.version = b.version;
    this.readyTimeout = b.readyTimeout;
    this.pollInterval = b.pollInterval;
    this.smokeTimeout = b.smokeTimeout;
    this.advertisedHost = b.advertisedHost;
  }

  /**
   * @param family OS, version and arch, e.g. {@code debian-12-x86_64}
   * @param version this build's version, e.g. {@code 20261125.1}
   */
  public static Builder builder(CloudStackClient client, String family, String version) {
    return new Builder(client, family, version);
  }

  /** CloudStack's name of a hypervisor. */
  public static String hypervisorName(TargetHypervisor h) {
    return switch (h) {
      case KVM -> "KVM";
      case XENSERVER -> "XenServer";
      case VMWARE -> "VMware";
      case HYPERV -> "Hyperv";
      case OVM -> "Ovm3";
    };
  }

  /** The template family of a hypervisor, e.g. {@code debian-12-x86_64-kvm}. */
  public String familyOf(TargetHypervisor h) {
    return family + "-" + h.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public List<PublishedTemplate> publish(String buildId, List<Artifact> artifacts,
      PublishTarget target, EventHandlers events) throws PublishException, InterruptedException {
    acceptable(artifacts, buildId, events);
    List<Zone> zones = zones(target.zones());
    OsType osType = client.osType(target.osType());
    Optional<ServiceOffering> offering = target.smokeOffering().isPresent()
        ? Optional.of(client.serviceOffering(target.smokeOffering().get())) : Optional.empty();
    List<PublishedTemplate> published = new ArrayList<>();
    try (ArtifactServer server = target.mode() == PublishTarget.Mode.URL
        ? serve(target.serveFrom().orElseThrow(), artifacts) : null) {
      for (Artifact a : artifacts) {
        published.addAll(publishOne(buildId, a, target, zones, osType, offering, server,
            events));
      }
    } catch (IOException e) {
      throw new PublishException("cannot serve the artifacts from " + target.serveFrom()
          .map(URI::toString).orElse("") + ": " + e.getMessage(), e);
    }
    return published;
  }

  /**
   * CloudStack's own checks of the files ({@link CloudStackAcceptance}), before any call: a
   * file it would refuse stops the publish with every reason; a warning is passed on.
   */
  private static void acceptable(List<Artifact> artifacts, String buildId,
      EventHandlers events) throws PublishException {
    List<String> refused = new ArrayList<>();
    for (Artifact a : artifacts) {
      try {
        for (CloudStackAcceptance.Finding f : CloudStackAcceptance.check(a.file())) {
          if (f.refused()) {
            refused.add(f.toString());
          } else {
            events.dispatch(new KilnEvent.Warning(buildId, Instant.now(), "publish.acceptance",
                f.toString()));
          }
        }
      } catch (IOException e) {
        throw new PublishException("cannot read " + a.file() + ": " + e.getMessage(), e);
      }
    }
    if (!refused.isEmpty()) {
      throw new PublishException("CloudStack would refuse " + String.join("; ", refused)
          + " (kiln check --cloudstack lists the rules)");
    }
  }

  private ArtifactServer serve(URI serveFrom, List<Artifact> artifacts) throws IOException {
    InetSocketAddress bind = new InetSocketAddress(serveFrom.getHost(),
        Math.max(serveFrom.getPort(), 0));
    return ArtifactServer.start(bind, advertisedHost.orElse(serveFrom.getHost()),
        artifacts.stream().map(Artifact::file).toList());
  }

  private List<PublishedTemplate> publishOne(String buildId, Artifact artifact,
      PublishTarget target, List<Zone> zones, OsType osType,
      Optional<ServiceOffering> offering, ArtifactServer server, EventHandlers events)
      throws PublishException, InterruptedException {
    TargetHypervisor hypervisor = artifact.spec().hypervisor();
    String hypervisorName = hypervisorName(hypervisor);
    String templateFamily = familyOf(hypervisor);
    String name = templateFamily + "-" + version;
    String sha256 = sha256(artifact);
    Zone first = zones.get(0);
    requireHosts(zones, hypervisorName, name, buildId, events);
    Optional<Template> found = existing(name, sha256, templateFamily, hypervisorName, buildId,
        events);
    String id = found.map(Template::id).orElse(null);
    if (found.isPresent()) {
      String why = found.get().name().equals(name) ? "" : " with the same SHA-256";
      name = found.get().name();
      warn(events, buildId, "publish.reused", "template " + name + " is already registered"
          + why + " (" + id + "); not registering it again");
    } else {
      TemplateRequest.Builder request = TemplateRequest.builder(name,
          artifact.spec().format().name(), hypervisorName, first.id(), osType.id())
          .displayText(name + " (built by Kiln, build " + buildId + ")")
          .sha256(sha256).passwordEnabled(true).sshKeyEnabled(true).dynamicallyScalable(true)
          .extractable(true).isPublic(false);
      if (artifact.spec().format() == ImageFormat.OVA) {
        request.deployAsIs(false);
      }
      id = register(request.build(), artifact, target, server, buildId, events,
          tags(buildId, sha256, templateFamily, artifact));
    }
    boolean tagged = client.templateRows(id).stream().anyMatch(t -> t.tags().containsKey(
        TAG_SHA256));
    if (!tagged) { // a crash between registering and tagging leaves an untagged template
      client.createTags(TEMPLATE, List.of(id), tags(buildId, sha256, templateFamily,
          artifact));
    }
    awaitReady(id, name, List.of(first), buildId, events);
    List<Zone> more = zones.subList(1, zones.size());
    if (!more.isEmpty()) {
      Set<String> present = new LinkedHashSet<>();
      client.templateRows(id).forEach(r -> r.zoneId().ifPresent(present::add));
      List<String> missing = more.stream().map(Zone::id).filter(z -> !present.contains(z))
          .toList();
      if (!missing.isEmpty()) {
        client.copyTemplate(id, first.id(), missing);
      }
      awaitReady(id, name, zones, buildId, events);
    }
    if (offering.isPresent()) {
      smokeTest(id, name, first, offering.get(), buildId, events);
    }
    if (target.keep().isPresent()) {
      prune(templateFamily, target.keep().getAsInt(), Optional.of(id), buildId, events);
    }
    List<PublishedTemplate> out = new ArrayList<>();
    for (Zone z : zones) {
      out.add(new PublishedTemplate(id, name, z.name(), hypervisorName));
    }
    return out;
  }

  private static Map<String, String> tagsOf(String buildId, String sha256, String family,
      String version) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put(TAG_BUILD, buildId);
    t.put(TAG_SHA256, sha256);
    t.put(TAG_FAMILY, family);
    t.put(TAG_VERSION, version);
    return t;
  }

  /** Kiln's tags, and {@code kiln-sbom-sha256} / {@code kiln-provenance-sha256} when known. */
  private Map<String, String> tags(String buildId, String sha256, String templateFamily,
      Artifact artifact) {
    Map<String, String> t = tagsOf(buildId, sha256, templateFamily, version);
    artifact.attestations().forEach((what, digest) -> t.put("kiln-" + what + "-sha256",
        digest));
    return t;
  }

  /**
   * The template to reuse instead of registering: this name (a re-run), or the same file in this
   * family and hypervisor under another version (its SHA-256 tag). A template of this name that
   * failed or never received its upload (an earlier run stopped) is deleted, not reused.
   */
  private Optional<Template> existing(String name, String sha256, String templateFamily,
      String hypervisorName, String buildId, EventHandlers events)
      throws CloudStackException, InterruptedException {
    for (Template t : client.listOwnTemplates(Map.of("name", name))) {
      if (!t.name().equals(name)) {
        continue;
      }
      if (t.failed() || t.neverUploaded()) {
        client.deleteTemplate(t.id(), Optional.empty());
        warn(events, buildId, "publish.replaced", "template " + name + " (" + t.id() + ") was "
            + "left by an earlier run (" + t.status() + "); deleted it, registering again");
        return Optional.empty();
      }
      return Optional.of(t);
    }
    for (ResourceTag tag : client.listTags(TEMPLATE, TAG_SHA256, Optional.of(sha256))) {
      for (Template t : client.templateRows(tag.resourceId())) {
        if (templateFamily.equals(t.tags().get(TAG_FAMILY))
            && t.hypervisor().equalsIgnoreCase(hypervisorName) && !t.failed()
            && !t.neverUploaded()) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Every zone has an Up routing host of the hypervisor; otherwise CloudStack would accept the
   * template, hide it from listTemplates, and Kiln would wait for it until its deadline.
   */
  private void requireHosts(List<Zone> zones, String hypervisorName, String name,
      String buildId, EventHandlers events) throws PublishException, InterruptedException {
    for (Zone z : zones) {
      java.util.OptionalInt up = client.upHosts(z.id(), hypervisorName);
      if (up.isEmpty()) {
        warn(events, buildId, "publish.hosts-unchecked", "cannot list hosts with this account "
            + "(an administrator's key can): not checking that the zones have "
            + hypervisorName + " hosts");
        return;
      }
      if (up.getAsInt() == 0) {
        throw new PublishException("zone " + z.name() + " has no Up " + hypervisorName
            + " host: CloudStack would accept " + name + " but never list it (it hides "
            + "templates that no host in the zone can run); add a " + hypervisorName
            + " host to " + z.name() + " or publish this artifact to another zone");
      }
    }
  }

  /**
   * Registers the template and tags it at once (an upload's template exists before its bytes
   * do, so a failed upload must still be found by {@code templates list} and {@code prune}); a
   * failed upload deletes the template it created.
   */
  private String register(TemplateRequest request, Artifact artifact, PublishTarget target,
      ArtifactServer server, String buildId, EventHandlers events, Map<String, String> tags)
      throws CloudStackException, InterruptedException {
    String fileName = artifact.file().getFileName().toString();
    if (target.mode() == PublishTarget.Mode.URL) {
      String id = client.registerTemplate(request, server.urlOf(artifact.file())).id();
      client.createTags(TEMPLATE, List.of(id), tags);
      return id;
    }
    UploadParams params = client.getUploadParamsForTemplate(request);
    client.createTags(TEMPLATE, List.of(params.id()), tags);
    long size = artifact.size();
    try {
      client.upload(params, artifact.file(), fileName, done -> events.dispatch(
          new KilnEvent.ByteProgress(buildId, Instant.now(), Stage.PUBLISH, "upload "
              + fileName, done, size)));
    } catch (CloudStackException e) {
      try {
        client.deleteTemplate(params.id(), Optional.empty());
      } catch (CloudStackException again) {
        e.addSuppressed(again);
        warn(events, buildId, "publish.upload-orphan", "the template " + params.id() + " of "
            + "the failed upload could not be deleted (" + again.getMessage() + "); the next "
            + "run replaces it");
      }
      throw e;
    }
    return params.id();
  }

  /** Polls until the template is ready in every zone of {@code zones}. */
  private void awaitReady(String id, String name, List<Zone> zones, String buildId,
      EventHandlers events) throws PublishException, InterruptedException {
    Instant end = Instant.now().plus(readyTimeout);
    Map<String, Integer> lastPercent = new LinkedHashMap<>();
    while (true) {
      List<Template> rows = client.templateRows(id);
      boolean allReady = true;
      for (Zone z : zones) {
        Optional<Template> row = rows.stream().filter(r -> r.zoneId().map(z.id()::equals)
            .orElse(false)).findFirst();
        if (row.isPresent() && row.get().failed()) {
          throw new PublishException("template " + name + " (" + id + ") failed in zone "
              + z.name() + ": " + row.get().status() + (row.get().downloadStates().isEmpty()
              ? "" : " " + row.get().downloadStates()));
        }
        if (row.isEmpty() || !row.get().ready()) {
          allReady = false;
          int percent = row.flatMap(Template::percent).orElse(0);
          if (!Objects.equals(lastPercent.put(z.id(), percent), percent)) {
            events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(), Stage.PUBLISH,
                "template " + name + " in " + z.name(), percent, 100));
          }
        } else if (!Objects.equals(lastPercent.put(z.id(), 100), 100)) {
          events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(), Stage.PUBLISH,
              "template " + name + " in " + z.name(), 100, 100));
        }
      }
      if (allReady) {
        return;
      }
      if (Instant.now().isAfter(end)) {
        throw new PublishException("template " + name + " (" + id + ") not ready within "
            + readyTimeout.toMinutes() + " min: " + rows.stream().map(r -> r.zoneName()
            .orElse("?") + ": " + r.status()).toList());
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /** Deploys a VM from the new template; on failure deletes the template and throws. */
  private void smokeTest(String id, String name, Zone zone, ServiceOffering offering,
      String buildId, EventHandlers events) throws PublishException, InterruptedException {
    String vmName = ("kiln-smoke-" + buildId).replaceAll("[^A-Za-z0-9-]", "-");
    vmName = vmName.length() > 63 ? vmName.substring(0, 63) : vmName;
    Optional<String> vmId = Optional.empty();
    String failure = null;
    String[] created = new String[1];
    try {
      VirtualMachine vm = client.deployVirtualMachine(id, zone.id(), offering.id(), vmName,
          vmCreated -> created[0] = vmCreated);
      vmId = Optional.of(vm.id());
      Instant end = Instant.now().plus(smokeTimeout);
      String state = vm.state();
      while (!state.equals("Running")) {
        if (state.equals("Error") || state.equals("Stopped") || state.equals("Destroyed")) {
          failure = "the smoke-test VM " + vm.id() + " went to state " + state;
          break;
        }
        if (Instant.now().isAfter(end)) {
          failure = "the smoke-test VM " + vm.id() + " was not Running within "
              + smokeTimeout.toMinutes() + " min (state " + state + ")";
          break;
        }
        Thread.sleep(pollInterval.toMillis());
        state = client.virtualMachine(vm.id()).map(VirtualMachine::state).orElse("Destroyed");
      }
    } catch (CloudStackException e) {
      failure = "deploying the smoke-test VM failed: " + e.getMessage();
    } finally {
      if (vmId.isEmpty() && created[0] != null) { // a failed deploy job leaves its VM in Error
        vmId = Optional.of(created[0]);
      }
      if (vmId.isPresent()) {
        try {
          client.destroyVirtualMachine(vmId.get(), true);
        } catch (CloudStackException e) {
          warn(events, buildId, "publish.smoke-vm-left", "could not expunge the smoke-test VM "
              + vmId.get() + ": " + e.getMessage());
        }
      }
    }
    if (failure != null) {
      try {
        client.deleteTemplate(id, Optional.empty());
      } catch (CloudStackException e) {
        throw new PublishException("smoke test of " + name + " failed (" + failure
            + ") and deleting the template " + id + " failed too: " + e.getMessage(), e);
      }
      throw new PublishException("smoke test of " + name + " failed: " + failure
          + "; the template " + id + " was deleted (rolled back)");
    }
  }

  /**
   * Keeps the newest {@code keep} templates of a family (by creation time) and deletes the rest.
   *
   * @return the ids deleted
   */
  public List<String> prune(String templateFamily, int keep, Optional<String> protect,
      String buildId, EventHandlers events) throws CloudStackException, InterruptedException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least one template");
    }
    Map<String, Template> byId = new LinkedHashMap<>();
    for (ResourceTag tag : client.listTags(TEMPLATE, TAG_FAMILY, Optional.of(templateFamily))) {
      for (Template t : client.templateRows(tag.resourceId())) {
        byId.putIfAbsent(t.id(), t);
      }
    }
    List<Template> newestFirst = byId.values().stream()
        .sorted(Comparator.comparing(Template::created).reversed()).toList();
    List<String> deleted = new ArrayList<>();
    for (Template t : newestFirst.subList(Math.min(keep, newestFirst.size()),
        newestFirst.size())) {
      if (protect.map(t.id()::equals).orElse(false)) {
        continue;
      }
      client.deleteTemplate(t.id(), Optional.empty());
      deleted.add(t.id());
      warn(events, buildId, "publish.pruned", "deleted old template " + t.name() + " ("
          + t.id() + "), keeping the newest " + keep + " of " + templateFamily);
    }
    return deleted;
  }

  private List<Zone> zones(List<String> wanted) throws CloudStackException,
      InterruptedException {
    if (wanted.isEmpty()) {
      List<Zone> all = client.listZones();
      if (all.isEmpty()) {
        throw new CloudStackException("listZones", 0, java.util.OptionalInt.empty(),
            java.util.OptionalInt.empty(), "the cloud has no zones", false, null);
      }
      return all;
    }
    List<Zone> out = new ArrayList<>();
    for (String z : wanted) {
      out.add(client.zone(z));
    }
    return out;
  }

  private static String sha256(Artifact a) throws PublishException {
    String v = a.checksums().getOrDefault("SHA-256", a.checksums().get("sha256"));
    if (v == null) {
      throw new PublishException("artifact " + a.file() + " has no SHA-256; CloudStack needs "
          + "it to verify the download");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  private static void warn(EventHandlers events, String buildId, String code, String message) {
    events.dispatch(new KilnEvent.Warning(buildId, Instant.now(), code, message));
  }

  /** Builder for {@link CloudStackPublisher}. */
  public static final class Builder {
    private final CloudStackClient client;
    private final String family;
    private final String version;
    private Duration readyTimeout = Duration.ofHours(2);
    private Duration pollInterval = Duration.ofSeconds(10);
    private Duration smokeTimeout = Duration.ofMinutes(15);
    private Optional<String> advertisedHost = Optional.empty();

    private Builder(CloudStackClient client, String family, String version) {
      this.client = Objects.requireNonNull(client);
      if (!family.matches("[a-z0-9][a-z0-9._-]{0,80}")) {
        throw new IllegalArgumentException("template family must be lower-case [a-z0-9._-]: "
            + family);
      }
      if (!version.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,40}")) {
        throw new IllegalArgumentException("version must be [A-Za-z0-9._-]: " + version);
      }
      this.family = family;
      this.version = version;
    }

    public Builder readyTimeout(Duration d) {
      this.readyTimeout = d;
      return this;
    }

    public Builder pollInterval(Duration d) {
      this.pollInterval = d;
      return this;
    }

    public Builder smokeTimeout(Duration d) {
      this.smokeTimeout = d;
      return this;
    }

    /** The host name CloudStack uses to reach the artifact server (if not the bind address). */
    public Builder advertisedHost(String host) {
      this.advertisedHost = Optional.of(host);
      return this;
    }

    public CloudStackPublisher build() {
      return new CloudStackPublisher(this);
    }
  }
}
