package dev.kiln.core.internal.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}: what a build made and from what. Written by {@link ManifestWriter}
 * after export and again after publishing; absent parts are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"kilnVersion", "buildId", "recipe", "recipeFile", "os", "host", "started",
    "source", "install", "stepCache",
    "generalizeSurvivors", "privateKeyScan", "secretScan", "verify", "finished", "stageSeconds",
    "artifacts",
    "packages", "security", "hardening", "sbom", "provenance", "published"})
public record BuildManifest(String kilnVersion, String buildId, String recipe,
    RecipeFile recipeFile, String os, Host host, String started, Source source, Install install,
    StepCache stepCache, List<String> generalizeSurvivors, KeyScan privateKeyScan,
    SecretScan secretScan, Verify verify,
    String finished, Map<String, Double> stageSeconds,
    List<Artifact> artifacts, List<Package> packages, Security security,
    Hardening hardening, Sbom sbom,
    Provenance provenance,
    List<Published> published) {

  /**
   * The step cache: how many leading provisioning steps came from an earlier build's layers,
   * and the key of every step's layer (absent when the cache was not used).
   */
  @JsonPropertyOrder({"reusedSteps", "keys"})
  public record StepCache(int reusedSteps, List<String> keys) {}

  /**
   * The recipe file as read (its name and SHA-256; variables given from outside are not in
   * it). Absent for a recipe built in code.
   */
  @JsonPropertyOrder({"file", "sha256"})
  public record RecipeFile(String file, String sha256) {}

  /**
   * Where the build ran: the machine that ran Kiln (host name, kernel, Java, the Git commit
   * Kiln was built from), the libvirt URI the build machines ran on, libvirt's and QEMU's
   * versions there, and the accelerator they really used ({@code kvm} or {@code tcg},
   * from the running domain, not from the recipe).
   */
  @JsonPropertyOrder({"builder", "kernel", "java", "kilnCommit", "libvirtUri", "libvirt", "qemu",
      "accelerator"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Host(String builder, String kernel, String java, String kilnCommit,
      String libvirtUri, String libvirt, String qemu, String accelerator) {}

  /** A package of the template's package database. */
  @JsonPropertyOrder({"name", "version", "arch"})
  public record Package(String name, String version, String arch) {}

  /**
   * The security assessment after provisioning: the recipe's policy, and every installed
   * package with an update pending in the distribution's security repositories, with the CVE
   * ids the fixed version's changelog names ({@code changelogRead} false: it could not be
   * read down to the installed version, so the list may be short).
   */
  @JsonPropertyOrder({"updates", "maxPending", "pendingCount", "cveCount", "pending"})
  public record Security(String updates, Integer maxPending, int pendingCount, int cveCount,
      List<PendingUpdate> pending) {
    static Security of(SecurityAssessment.Result r) {
      return r == null ? null : new Security(r.policy().updates().name().toLowerCase(
          java.util.Locale.ROOT), r.policy().limit().isPresent() ? r.policy().limit()
              .getAsInt() : null, r.pending().size(), r.cves().size(), r.pending());
    }
  }

  /** A package with a security update pending. */
  @JsonPropertyOrder({"name", "installed", "fixed", "source", "cves", "changelogRead"})
  public record PendingUpdate(String name, String installed, String fixed, String source,
      List<String> cves, boolean changelogRead) {}

  /**
   * The OpenSCAP hardening scan: the scanner, profile and data stream, the verified content
   * (absent: the guest distribution's package), each XCCDF result's count over the rules the
   * profile selects, the failed rules, and the ARF results and HTML report written next to the
   * artifacts.
   */
  @JsonPropertyOrder({"scanner", "profile", "datastream", "content", "rules", "results",
      "failedRules", "maxFailed", "arf", "arfSha256", "report"})
  public record Hardening(String scanner, String profile, String datastream, String content,
      int rules, Map<String, Integer> results, List<String> failedRules, Integer maxFailed,
      String arf, String arfSha256, String report) {}

  /** The SBOM next to the artifacts: its file, format, package count and digest. */
  @JsonPropertyOrder({"file", "format", "components", "sha256"})
  public record Sbom(String file, String format, int components, String sha256) {}

  /** The signed provenance next to the artifacts, and the key that signed it. */
  @JsonPropertyOrder({"file", "keyId", "sha256"})
  public record Provenance(String file, String keyId, String sha256) {}

  /**
   * Where the base came from: a cloud image or ISO (origin, checksum) or debootstrap (suite,
   * mirror, the cached disk, and the signed package indexes it was bootstrapped from).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "origin", "checksum", "suite", "mirror", "disk", "indexes"})
  public record Source(String type, String origin, String checksum, String suite,
      String mirror, String disk, List<PackageIndex> indexes) {
    static Source download(String type, String origin, String checksum) {
      return new Source(type, origin, checksum, null, null, null, null);
    }

    static Source debootstrap(String suite, String mirror, String disk,
        List<PackageIndex> indexes) {
      return new Source("debootstrap", null, null, suite, mirror, disk,
          indexes.isEmpty() ? null : indexes);
    }
  }

  /**
   * A suite's signed index ({@code InRelease}) as the mirror served it when the base was
   * bootstrapped: its apt list name, SHA-256 and {@code Date:} — which mirror snapshot the
   * packages came from.
   */
  @JsonPropertyOrder({"file", "sha256", "date"})
  public record PackageIndex(String file, String sha256, String date) {}

  /** The OS install: its cache key, digests of the answer files, whether it was reused. */
  @JsonPropertyOrder({"cacheKey", "answerFiles", "reused"})
  public record Install(String cacheKey, Map<String, String> answerFiles, boolean reused) {}

  /**
   * The scan of the exported disk's data for private keys: those in files, and those that are
   * string constants inside binaries (library self-test vectors), which do not fail a build.
   */
  @JsonPropertyOrder({"scannedBytes", "findings", "embeddedInBinaries"})
  public record KeyScan(long scannedBytes, List<KeyFinding> findings,
      List<KeyFinding> embeddedInBinaries) {}

  /** The search of the exported disk for the build's secrets: which, and where found. */
  @JsonPropertyOrder({"searched", "findings"})
  public record SecretScan(List<String> searched, List<SecretFinding> findings) {}

  /** A secret in the exported disk: what it is (never its value) and its disk offset. */
  @JsonPropertyOrder({"secret", "offset"})
  public record SecretFinding(String secret, long offset) {}

  /** A private-key header in the exported disk: its offset in the guest disk and kind. */
  @JsonPropertyOrder({"offset", "header"})
  public record KeyFinding(long offset, String header) {}

  /** The verify boot: the artifact booted, its new instance id, each check's outcome. */
  @JsonPropertyOrder({"image", "instanceId", "passed", "checks"})
  public record Verify(String image, String instanceId, boolean passed, List<Check> checks) {
    static Verify of(dev.kiln.core.internal.verify.VerifyReport r) {
      return r == null ? null : new Verify(r.image(), r.instanceId(), r.failures().isEmpty(),
          r.checks().stream().map(c -> new Check(c.name(), c.passed(), c.detail(),
              c.elapsed().toMillis() / 1000.0)).toList());
    }
  }

  /** One verify check. */
  @JsonPropertyOrder({"name", "passed", "detail", "seconds"})
  public record Check(String name, boolean passed, String detail, double seconds) {}

  /** One written artifact. */
  @JsonPropertyOrder({"file", "hypervisor", "format", "compression", "size", "virtualSize",
      "checksums"})
  public record Artifact(String file, String hypervisor, String format, String compression,
      long size, long virtualSize, Map<String, String> checksums) {}

  /** One template created by publishing. */
  @JsonPropertyOrder({"id", "name", "zone", "hypervisor"})
  public record Published(String id, String name, String zone, String hypervisor) {}
}
