package dev.kiln.core.internal.pipeline;

import dev.kiln.api.HardeningScan;
import dev.kiln.api.KilnException;
import dev.kiln.core.internal.provision.GuestScriptRunner;
import dev.kiln.core.internal.provision.ProvisionException;
import dev.kiln.core.internal.source.ContentCache;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The hardening scan: the guest script {@code hardening-scan.sh} installs the distribution's
 * OpenSCAP scanner, evaluates the recipe's XCCDF profile against the verified SCAP content (or
 * the distribution's own guide) and removes what it installed; Kiln fetches the ARF results
 * and the HTML report into the build directory, counts the results from outside the guest,
 * and holds the failures to the recipe's limit. Export copies both files next to the
 * artifacts.
 */
final class OpenScapScan {
  /** Where the script leaves its results in the guest. */
  static final String GUEST_DIR = "/tmp/kiln-hardening";
  /** The output files' names, next to the artifacts. */
  static final String ARF_FILE = "oscap-arf.xml";
  static final String REPORT_FILE = "oscap-report.html";
  /** The script's answers (see the script's head). */
  private static final Map<Integer, String> FAILURES = Map.of(
      65, "the SCAP content is not usable",
      66, "the oscap scanner failed",
      67, "the scanner could not be installed");

  /**
   * What the scan found, and where its files wait in the build directory for export.
   *
   * @param content the content's {@code algorithm:hex} and origin, or empty for the
   *     distribution's own package
   */
  record Result(HardeningScan scan, String datastream, Optional<String> content,
      ArfResults results, Path arf, Path report, String arfSha256) {
    BuildManifest.Hardening manifest() {
      return new BuildManifest.Hardening(results.testSystem(), scan.profileId(), datastream,
          content.orElse(null), results.rules(), results.results(), results.failed(),
          scan.maxFailed().isPresent() ? scan.maxFailed().getAsInt() : null, ARF_FILE,
          arfSha256, REPORT_FILE);
    }
  }

  private OpenScapScan() {}

  /** Runs the recipe's scan in the guest, if it asks for one. */
  static Optional<Result> run(BuildContext ctx, Communicator guest) throws Exception {
    Optional<HardeningScan> wanted = ctx.recipe.hardening();
    if (wanted.isEmpty()) {
      return Optional.empty();
    }
    HardeningScan scan = wanted.get();
    Optional<String> script = ctx.settings.profile().guestScript("hardening-scan", ctx.recipe);
    if (script.isEmpty()) {
      throw new KilnException("the recipe asks for a hardening scan, but the OS profile for "
          + ctx.recipe.os() + " has no hardening-scan script");
    }
    String datastream = scan.datastreamFor(ctx.recipe.os());
    String arguments = scan.profileId() + " " + datastream;
    ContentCache.Resolved content = ctx.hardeningContent;
    if (content != null) {
      String remote = "/tmp/kiln-hardening-content" + extension(content);
      guest.upload(content.file(), remote);
      arguments += " " + remote;
    }
    String path = GuestScriptRunner.install(guest, "hardening-scan.sh", script.get());
    var r = guest.exec(new ExecRequest("sh " + path + " " + arguments, Duration.ofMinutes(60),
        ProvisionStage.ENVIRONMENT, true, false));
    if (!r.succeeded()) {
      String what = FAILURES.getOrDefault(r.exitCode(), "the hardening scan failed");
      throw new ProvisionException("hardening scan (" + what + ", profile "
          + scan.profileId() + ", data stream " + datastream + ")", r.exitCode(),
          r.stdoutTail() + r.stderrTail());
    }
    Path dir = ctx.buildDirectory().resolve("hardening");
    Files.createDirectories(dir);
    Path arf = dir.resolve(ARF_FILE);
    Path report = dir.resolve(REPORT_FILE);
    guest.download(GUEST_DIR + "/arf.xml", arf);
    guest.download(GUEST_DIR + "/report.html", report);
    guest.exec(new ExecRequest("rm -rf " + GUEST_DIR + " /tmp/kiln-hardening-content*",
        Duration.ofMinutes(1), Map.of(), true, false));
    refuseSecrets(ctx, arf, report);
    Result result = new Result(scan, datastream, Optional.ofNullable(content).map(c ->
        c.checksum().algorithm() + ":" + c.checksum().hex() + " " + c.origin()),
        ArfResults.read(arf), arf, report, ProvenanceWriter.sha256(arf));
    hold(ctx, result);
    return Optional.of(result);
  }

  /** The content's kind, which the script unpacks by: .deb, .rpm, or a data stream .xml. */
  private static String extension(ContentCache.Resolved content) {
    String name = content.origin().getPath() == null ? "" : content.origin().getPath()
        .toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".deb", ".rpm"}) {
      if (name.endsWith(ext)) {
        return ext;
      }
    }
    return ".xml";
  }

  /**
   * The scanner records what it probed (files, users, addresses): a secret of the recipe's in
   * one of them would leave the build in a file meant to be shared. Neither file is kept then.
   */
  private static void refuseSecrets(BuildContext ctx, Path... files) throws IOException,
      KilnException {
    Map<String, String> secrets = BuildContext.secrets(ctx.recipe);
    for (Path f : files) {
      String text = Files.readString(f, StandardCharsets.UTF_8);
      for (Map.Entry<String, String> s : secrets.entrySet()) {
        if (s.getValue().length() >= SecretScan.MIN_LENGTH && text.contains(s.getValue())) {
          for (Path g : files) {
            Files.deleteIfExists(g);
          }
          throw new KilnException("the OpenSCAP " + (f.getFileName().toString().endsWith(
              ".html") ? "report" : "results") + " hold " + s.getKey() + " (a probed file "
              + "contains it); both files were removed. Keep the secret out of the files the "
              + "profile checks");
        }
      }
    }
  }

  /** The recipe's limit on failed rules: over it fails the build, under it warns. */
  private static void hold(BuildContext ctx, Result result) throws KilnException {
    ArfResults r = result.results();
    if (r.failedCount() == 0) {
      return;
    }
    String first = String.join(", ", r.failed().subList(0, Math.min(5, r.failedCount())))
        + (r.failedCount() > 5 ? " and " + (r.failedCount() - 5) + " more" : "");
    var limit = result.scan().maxFailed();
    if (limit.isPresent() && r.failedCount() > limit.getAsInt()) {
      throw new KilnException(r.failedCount() + " of " + r.rules() + " rules of profile "
          + result.scan().profileId() + " failed, more than hardening.maxFailed "
          + limit.getAsInt() + " allows: " + first + "; the report is " + result.report());
    }
    ctx.events.warning("hardening.failed-rules", r.failedCount() + " of " + r.rules()
        + " rules of profile " + result.scan().profileId() + " failed: " + first
        + " (listed in the manifest and " + REPORT_FILE + ")");
  }

  /** Copies the results and the report next to the artifacts (each a partial file, renamed). */
  static void export(Result result, Path out) throws IOException {
    for (Path f : new Path[] {result.arf(), result.report()}) {
      Path target = out.resolve(f.getFileName().toString());
      Path tmp = out.resolve(f.getFileName() + ".partial");
      Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
