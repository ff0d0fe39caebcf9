package dev.kiln.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.api.OsSelection;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.spi.OsProfile.PackageFamily;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.values.CatalogEntry.CloudImage;
import dev.kiln.templates.values.CatalogEntry.IsoMedia;
import dev.kiln.templates.values.CatalogEntry;
import dev.kiln.templates.values.Installer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Kiln's OS catalog, read from {@code catalog.yaml}: every distribution and version Kiln can
 * build, with installer media, cloud images and the installer's answer language. Adding a
 * version is data, not code.
 */
public final class Catalog {
  private static final String RESOURCE = "catalog.yaml";
  private final List<CatalogEntry> entries;
  private final Map<PackageFamily, Map<TargetHypervisor, List<String>>> tools;

  private Catalog(List<CatalogEntry> entries,
      Map<PackageFamily, Map<TargetHypervisor, List<String>>> tools) {
    this.entries = List.copyOf(entries);
    this.tools = tools;
  }

  /** The catalog shipped with Kiln. */
  public static Catalog builtIn() {
    try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " missing from the Kiln jar");
      }
      return parse(new ObjectMapper(new YAMLFactory()).readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Catalog parse(JsonNode root) {
    List<CatalogEntry> out = new ArrayList<>();
    for (JsonNode d : root.path("distributions")) {
      for (JsonNode v : d.path("versions")) {
        JsonNode iso = v.path("iso");
        List<URI> urls = new ArrayList<>();
        iso.path("urls").forEach(u -> urls.add(URI.create(u.asText())));
        Map<String, String> options = new LinkedHashMap<>();
        for (String k : List.of("schema", "kickstart", "product")) {
          if (v.hasNonNull(k)) {
            options.put(k, v.get(k).asText());
          }
        }
        Optional<CloudImage> cloud = v.has("cloudImage") ? Optional.of(new CloudImage(
            URI.create(v.path("cloudImage").path("url").asText()),
            URI.create(v.path("cloudImage").path("checksums").asText()))) : Optional.empty();
        out.add(new CatalogEntry(d.path("id").asText(), v.path("version").asText(),
            d.path("name").asText(), Installer.parse(v.path("installer").asText(
                d.path("installer").asText())),
            PackageFamily.valueOf(d.path("packages").asText().toUpperCase(Locale.ROOT)),
            new IsoMedia(urls, text(iso, "file"), text(iso, "checksums").map(URI::create),
                text(iso, "signature").map(URI::create), iso.path("localOnly").asBoolean(false),
                iso.path("volumeId").asText(), iso.path("kernel").asText(),
                iso.path("initrd").asText()),
            cloud, v.path("cloudstackOsType").asText("Other Linux (64-bit)"),
            text(d, "registration"), options));
      }
    }
    Map<PackageFamily, Map<TargetHypervisor, List<String>>> tools = new LinkedHashMap<>();
    root.path("hypervisorTools").fields().forEachRemaining(f -> {
      Map<TargetHypervisor, List<String>> m = new LinkedHashMap<>();
      f.getValue().fields().forEachRemaining(h -> {
        List<String> pkgs = new ArrayList<>();
        h.getValue().forEach(p -> pkgs.add(p.asText()));
        m.put(TargetHypervisor.valueOf(h.getKey()), List.copyOf(pkgs));
      });
      tools.put(PackageFamily.valueOf(f.getKey().toUpperCase(Locale.ROOT)), Map.copyOf(m));
    });
    return new Catalog(out, Map.copyOf(tools));
  }

  private static Optional<String> text(JsonNode n, String field) {
    return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
  }

  /** Every entry, in catalog order. */
  public List<CatalogEntry> entries() {
    return entries;
  }

  /** Distribution ids, in catalog order. */
  /**
   * What recipe validation needs of each OS: versions, whether a debootstrap source can build it
   * (apt systems), the registration its repositories need.
   */
  public List<dev.kiln.api.KnownOs> knownOs() {
    java.util.Map<String, List<CatalogEntry>> byId = new java.util.LinkedHashMap<>();
    entries().forEach(e -> byId.computeIfAbsent(e.id(), k -> new java.util.ArrayList<>())
        .add(e));
    return byId.values().stream().map(es -> new dev.kiln.api.KnownOs(es.get(0).id(),
        es.stream().map(CatalogEntry::version).toList(),
        es.get(0).packages() == PackageFamily.APT, es.get(0).registration())).toList();
  }

  public List<String> ids() {
    return entries.stream().map(CatalogEntry::id).distinct().toList();
  }

  /** The entry for an OS id such as {@code ubuntu-24.04} or {@code sles-15-sp6}. */
  public Optional<CatalogEntry> entry(String osId) {
    return entries.stream().filter(e -> e.osId().equals(osId)).findFirst();
  }

  public Optional<CatalogEntry> entry(OsSelection os) {
    return entries.stream().filter(e -> e.id().equals(os.id())
        && e.version().equals(os.version())).findFirst();
  }

  /** The profile (answer renderer, boot arguments, guest scripts) of a distribution. */
  public Optional<OsProfile> profile(String id) {
    List<CatalogEntry> versions = entries.stream().filter(e -> e.id().equals(id)).toList();
    return versions.isEmpty() ? Optional.empty() : Optional.of(new CatalogProfile(versions,
        this));
  }

  /**
   * The profile of {@code os}'s distribution when the catalog has that version; matches
   * {@link dev.kiln.spi.OsCatalog}, so {@code catalog::profile} can be passed to a build.
   */
  public Optional<OsProfile> profile(OsSelection os) {
    return entry(os).isPresent() ? profile(os.id()) : Optional.empty();
  }

  /** Packages of the guest tools a hypervisor wants, for a package family. */
  public List<String> hypervisorTools(PackageFamily family, TargetHypervisor hypervisor) {
    return tools.getOrDefault(family, Map.of()).getOrDefault(hypervisor, List.of());
  }
}
