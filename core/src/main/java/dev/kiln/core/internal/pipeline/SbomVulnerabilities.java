package dev.kiln.core.internal.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.vulnerability.Vulnerability;

/**
 * The SBOM's {@code vulnerabilities}: one entry per CVE that a pending security update fixes,
 * affecting the installed version of every package component whose update names it, with the
 * fixed version as the recommendation. A pending update whose changelog names no CVE is in
 * the manifest only (CycloneDX needs an identifier).
 */
final class SbomVulnerabilities {
  private SbomVulnerabilities() {}

  /** The entries for {@code result}; {@code refs} maps a package name to its bom-ref. */
  static List<Vulnerability> of(SecurityAssessment.Result result, Map<String, String> refs,
      String distro) {
    Map<String, List<BuildManifest.PendingUpdate>> byCve = new LinkedHashMap<>();
    for (BuildManifest.PendingUpdate p : result.pending()) {
      for (String cve : p.cves()) {
        byCve.computeIfAbsent(cve, k -> new ArrayList<>()).add(p);
      }
    }
    List<Vulnerability> out = new ArrayList<>();
    byCve.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      Vulnerability v = new Vulnerability();
      v.setId(e.getKey());
      v.setBomRef("vulnerability:" + e.getKey());
      Vulnerability.Source source = new Vulnerability.Source();
      source.setName("NVD");
      source.setUrl("https://nvd.nist.gov/vuln/detail/" + e.getKey());
      v.setSource(source);
      List<Vulnerability.Affect> affects = new ArrayList<>();
      List<String> fixes = new ArrayList<>();
      for (BuildManifest.PendingUpdate p : e.getValue()) {
        String ref = refs.get(p.name());
        if (ref == null) {
          continue; // not in the package database the SBOM lists (removed since)
        }
        Vulnerability.Affect a = new Vulnerability.Affect();
        a.setRef(ref);
        Vulnerability.Version installed = new Vulnerability.Version();
        installed.setVersion(p.installed());
        installed.setStatus(Vulnerability.Version.Status.AFFECTED);
        Vulnerability.Version fixed = new Vulnerability.Version();
        fixed.setVersion(p.fixed());
        fixed.setStatus(Vulnerability.Version.Status.UNAFFECTED);
        a.setVersions(List.of(installed, fixed));
        affects.add(a);
        fixes.add(p.name() + " " + p.fixed());
      }
      if (affects.isEmpty()) {
        return;
      }
      v.setAffects(affects);
      v.setRecommendation("Upgrade to " + String.join(", ", fixes) + " from the " + distro
          + " security repository.");
      v.setProperties(List.of(new Property("kiln:security:source-package",
          e.getValue().get(0).source())));
      out.add(v);
    });
    return out;
  }
}
