package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnVersion;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * {@code sbom.cdx.json}: a CycloneDX 1.6 BOM of the template, written with the CycloneDX
 * project's own library. Its subject ({@code metadata.component}) is the template as an
 * operating system whose parts are the artifact files with their hashes; its components are
 * every package the guest's package database lists, each with a package URL
 * ({@code pkg:deb/debian/openssh-server@1:9.2p1-2?arch=amd64&distro=debian-12}), its source
 * package as properties, and its licence where the database has one (RPM).
 */
final class SbomWriter {
  static final String FILE = "sbom.cdx.json";

  private SbomWriter() {}

  static BuildManifest.Sbom write(BuildContext ctx, List<Exporter.Artifact> artifacts)
      throws IOException {
    Bom bom = new Bom();
    bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes((ctx.settings.buildId() + "/"
        + ctx.recipe.name()).getBytes(StandardCharsets.UTF_8)));
    Metadata md = new Metadata();
    md.setTimestamp(Date.from(Instant.now()));
    Component kiln = new Component();
    kiln.setType(Component.Type.APPLICATION);
    kiln.setName("kiln");
    kiln.setVersion(KilnVersion.get());
    ToolInformation tools = new ToolInformation();
    tools.setComponents(List.of(kiln));
    md.setToolChoice(tools);
    Component template = new Component();
    template.setType(Component.Type.OPERATING_SYSTEM);
    template.setBomRef("template");
    template.setName(ctx.recipe.name());
    template.setVersion(ctx.settings.buildId());
    template.setDescription(ctx.recipe.os().toString() + " template built by Kiln");
    List<Component> files = new ArrayList<>();
    for (Exporter.Artifact a : artifacts) {
      Component f = new Component();
      f.setType(Component.Type.FILE);
      String name = a.file().file().getFileName().toString();
      f.setBomRef("artifact:" + name);
      f.setName(name);
      List<Hash> hashes = new ArrayList<>();
      hashes.add(new Hash(Hash.Algorithm.SHA_256, a.file().checksums().get("SHA-256")));
      String sha512 = a.file().checksums().get("SHA-512");
      if (sha512 != null) {
        hashes.add(new Hash(Hash.Algorithm.SHA_512, sha512));
      }
      f.setHashes(hashes);
      files.add(f);
    }
    template.setComponents(files);
    md.setComponent(template);
    bom.setMetadata(md);
    String distro = ctx.recipe.os().id() + "-" + ctx.recipe.os().version();
    List<Component> packages = new ArrayList<>();
    Set<String> refs = new LinkedHashSet<>();
    java.util.Map<String, String> refByName = new java.util.HashMap<>();
    for (PackageRecord p : ctx.inventory) {
      Component c = new Component();
      c.setType(Component.Type.LIBRARY);
      c.setName(p.name());
      c.setVersion(p.version());
      String purl = purl(p, ctx.recipe.os().id(), distro);
      c.setPurl(purl);
      // a package installed for two architectures is two components
      c.setBomRef(refs.add(purl) ? purl : purl + "#" + refs.size());
      refByName.putIfAbsent(p.name(), c.getBomRef());
      List<Property> props = new ArrayList<>();
      props.add(new Property("kiln:package:source", p.source()));
      props.add(new Property("kiln:package:source-version", p.sourceVersion()));
      c.setProperties(props);
      p.license().ifPresent(l -> {
        LicenseChoice lc = new LicenseChoice();
        License license = new License();
        license.setName(l);
        lc.addLicense(license);
        c.setLicenses(lc);
      });
      packages.add(c);
    }
    bom.setComponents(packages);
    if (ctx.security != null) {
      bom.setVulnerabilities(SbomVulnerabilities.of(ctx.security, refByName, distro));
    }
    String json;
    try {
      json = BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString();
    } catch (GeneratorException e) {
      throw new IOException("writing the SBOM: " + e.getMessage(), e);
    }
    Path out = ctx.settings.outputDirectory().resolve(FILE);
    Path tmp = out.resolveSibling(FILE + ".partial");
    Files.writeString(tmp, json + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new BuildManifest.Sbom(FILE, "CycloneDX 1.6", packages.size(),
        ProvenanceWriter.sha256(out));
  }

  /** The package URL (purl-spec's deb and rpm types), namespace the distribution's id. */
  static String purl(PackageRecord p, String osId, String distro) {
    String type = p.kind().equals("rpm") ? "rpm" : "deb";
    return "pkg:" + type + "/" + enc(osId.toLowerCase(Locale.ROOT)) + "/" + enc(p.name()) + "@"
        + enc(p.version()) + "?arch=" + enc(p.arch()) + "&distro=" + enc(distro);
  }

  /** Percent-encoding as the purl spec asks (':' stays, as in epochs "1:9.2p1"). */
  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%2B").replace("%3A", ":")
        .replace("%7E", "~");
  }
}
