package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.api.SecurityPolicy;
import dev.kiln.core.internal.provision.GuestScriptRunner;
import dev.kiln.core.internal.provision.ProvisionException;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * After provisioning: the guest's own package manager says, through the build's package
 * proxy, which installed packages have newer versions in the distribution's security
 * repositories, and each fixed version's changelog names the CVEs it fixes (the guest script
 * {@code security-updates.sh}). The recipe's {@link SecurityPolicy} applies them first or only
 * records them, and holds what remains to its limit.
 */
final class SecurityAssessment {
  /** The guest script's report, one line per pending package. */
  static final String REPORT = "/tmp/kiln-security.tsv";
  /** The script's answer for a package family it does not assess. */
  static final int NOT_IMPLEMENTED = 64;

  /** What the assessment found, under which policy (each package as the manifest lists it). */
  record Result(SecurityPolicy policy, List<BuildManifest.PendingUpdate> pending) {
    /** The distinct CVE ids the pending updates fix. */
    List<String> cves() {
      return pending.stream().flatMap(p -> p.cves().stream()).distinct().sorted().toList();
    }
  }

  private SecurityAssessment() {}

  /** Runs the assessment (and the updates, when the policy applies them). */
  static Optional<Result> run(BuildContext ctx, Communicator guest) throws Exception {
    SecurityPolicy policy = ctx.recipe.security();
    Optional<String> script = ctx.settings.profile().guestScript("security-updates",
        ctx.recipe);
    if (script.isEmpty()) {
      ctx.events.warning("security.not-assessed", "pending security updates were not assessed: "
          + "the OS profile has no assessment for this system");
      return Optional.empty();
    }
    String path = GuestScriptRunner.install(guest, "security-updates.sh", script.get());
    String mode = policy.updates().name().toLowerCase(Locale.ROOT);
    var r = guest.exec(new ExecRequest("sh " + path + " " + mode, Duration.ofMinutes(60),
        ProvisionStage.ENVIRONMENT, true, false));
    if (r.exitCode() == NOT_IMPLEMENTED) {
      ctx.events.warning("security.not-assessed", "pending security updates were not assessed: "
          + "Kiln assesses apt systems (Debian, Ubuntu) only so far");
      return Optional.empty();
    }
    if (!r.succeeded()) {
      throw new ProvisionException("security assessment (" + mode + ")", r.exitCode(),
          r.stdoutTail() + r.stderrTail());
    }
    Path tsv = ctx.scratch("security.tsv");
    guest.download(REPORT, tsv);
    Result result = new Result(policy, parse(Files.readAllLines(tsv, StandardCharsets.UTF_8)));
    hold(ctx, result);
    return Optional.of(result);
  }

  /** The script's report: name, installed, fixed, source, CVE ids (comma-separated or "?"). */
  static List<BuildManifest.PendingUpdate> parse(List<String> lines) {
    List<BuildManifest.PendingUpdate> out = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f.length < 5 || f[0].isBlank()) {
        continue;
      }
      boolean read = !f[4].equals("?");
      List<String> cves = read && !f[4].isBlank() ? Arrays.stream(f[4].split(","))
          .filter(c -> c.matches("CVE-\\d{4}-\\d{4,}")).toList() : List.of();
      out.add(new BuildManifest.PendingUpdate(f[0], f[1], f[2], f[3], cves, read));
    }
    return out;
  }

  /** The policy's limit: over it fails the provision stage; pending under REPORT warns. */
  private static void hold(BuildContext ctx, Result result) throws KilnException {
    List<BuildManifest.PendingUpdate> pending = result.pending();
    OptionalInt limit = result.policy().limit();
    if (limit.isPresent() && pending.size() > limit.getAsInt()) {
      throw new KilnException(pending.size() + " installed package(s) have security updates "
          + "pending (" + result.cves().size() + " CVE(s)), more than security.maxPending "
          + limit.getAsInt() + " allows: " + summary(pending) + "; "
          + (result.policy().updates() == SecurityPolicy.Updates.APPLY
              ? "the updates could not all be applied (held packages or a changed dependency)"
              : "set security.updates: apply to install them during provisioning"));
    }
    if (!pending.isEmpty()) {
      ctx.events.warning("security.pending", pending.size() + " installed package(s) have "
          + "security updates pending, fixing " + result.cves().size() + " CVE(s): "
          + summary(pending) + " (listed in the manifest and the SBOM; security.updates: apply "
          + "installs them)");
    }
  }

  /** The first few packages with versions, for one line of text. */
  static String summary(List<BuildManifest.PendingUpdate> pending) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(5, pending.size()); i++) {
      BuildManifest.PendingUpdate p = pending.get(i);
      s.append(i == 0 ? "" : ", ").append(p.name()).append(' ').append(p.installed())
          .append(" → ").append(p.fixed());
    }
    if (pending.size() > 5) {
      s.append(" and ").append(pending.size() - 5).append(" more");
    }
    return s.toString();
  }
}
