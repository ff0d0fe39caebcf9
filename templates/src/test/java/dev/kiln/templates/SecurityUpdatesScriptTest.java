package dev.kiln.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security assessment's guest script, as the Debian profile assembles it, run as root in
 * a real Debian 12 system (mmdebstrap from the point release, then the security suite added)
 * against Debian's real security mirror. What it reports is judged by oracles it does not
 * share code with: which packages are pending comes from Python reading the security suite's
 * {@code Packages} index and the system's dpkg status, ordered by {@code dpkg
 * --compare-versions}; each source package's CVE ids come from {@code dpkg-parsechangelog
 * --since} on the fixed {@code .deb}'s changelog. Then {@code apply} leaves nothing pending by
 * the same oracle. (The VM tests run it in a real build, through the package proxy.)
 */
@Tag("validator")
class SecurityUpdatesScriptTest {
  static final String MIRROR = "http://deb.debian.org/debian";

  @TempDir Path dir;

  @Test
  void theReportMatchesTheSecuritySuiteAndTheChangelogsAndApplyLeavesNonePending()
      throws Exception {
    Path root = dir.resolve("root");
    run(List.of("mmdebstrap", "--variant=apt", "--include=openssl,libssl3", "bookworm",
        root.toString(), "deb " + MIRROR + " bookworm main"));
    Files.writeString(root.resolve("etc/apt/sources.list.d/security.list"),
        "deb " + MIRROR + "-security bookworm-security main\n");
    Files.copy(Path.of("/etc/resolv.conf"), root.resolve("etc/resolv.conf"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String script = Catalog.builtIn().profile("debian").orElseThrow().guestScript(
        "security-updates", Recipes.defaults(Catalog.builtIn().entry("debian-12")
            .orElseThrow())).orElseThrow();
    Files.writeString(root.resolve("tmp/security-updates.sh"), script);

    run(List.of("chroot", root.toString(), "sh", "/tmp/security-updates.sh", "report"));
    List<String[]> report = report(root);
    Map<String, String[]> expected = pendingByOracle(root);
    assertThat(expected).as("the point release has security updates pending").isNotEmpty();
    assertThat(report.stream().map(r -> r[0]).toList())
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (String[] r : report) {
      assertThat(r[1]).as(r[0] + " installed").isEqualTo(expected.get(r[0])[0]);
      assertThat(r[2]).as(r[0] + " fixed").isEqualTo(expected.get(r[0])[1]);
    }
    // every source package's CVE ids, as dpkg-parsechangelog reads the fixed changelog
    Map<String, String[]> firstBySource = new LinkedHashMap<>();
    report.forEach(r -> firstBySource.putIfAbsent(r[3], r));
    int withCves = 0;
    for (String[] r : firstBySource.values()) {
      Set<String> oracle = cvesByOracle(root, r[0], r[2]);
      Set<String> reported = r[4].isEmpty() ? Set.of() : new TreeSet<>(List.of(r[4].split(",")));
      assertThat(r[4]).as(r[3] + ": the changelog was read").isNotEqualTo("?");
      assertThat(reported).as(r[3] + " CVE ids").isEqualTo(oracle);
      withCves += oracle.isEmpty() ? 0 : 1;
    }
    assertThat(withCves).as("source packages whose update names a CVE").isPositive();

    run(List.of("chroot", root.toString(), "sh", "/tmp/security-updates.sh", "apply"));
    assertThat(report(root)).isEmpty();
    assertThat(pendingByOracle(root)).isEmpty();
  }

  private static List<String[]> report(Path root) throws Exception {
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve("tmp/kiln-security.tsv"))) {
      String[] f = line.split("\t", -1);
      assertThat(f).as(line).hasSize(5);
      out.add(f);
    }
    return out;
  }

  /**
   * Installed packages with a newer version in the security suite's index: name to
   * {installed, fixed}.
   */
  private Map<String, String[]> pendingByOracle(Path root) throws Exception {
    Path py = dir.resolve("pending.py");
    Files.writeString(py, String.join("\n",
        "import glob, subprocess, sys",
        "def stanzas(path):",
        "    block = {}",
        "    for line in open(path, encoding='utf-8'):",
        "        if line.strip() == '':",
        "            if block: yield block",
        "            block = {}",
        "        elif not line[0].isspace() and ':' in line:",
        "            k, v = line.split(':', 1); block[k] = v.strip()",
        "    if block: yield block",
        "root = sys.argv[1]",
        "installed = {s['Package']: s['Version'] for s in stanzas(root + '/var/lib/dpkg/status')",
        "             if s.get('Status', '').endswith(' installed')}",
        "best = {}",
        "for f in glob.glob(root + '/var/lib/apt/lists/*bookworm-security*_Packages'):",
        "    for s in stanzas(f):",
        "        p, v = s['Package'], s['Version']",
        "        if p in installed and (p not in best or subprocess.call(['dpkg',",
        "                '--compare-versions', v, 'gt', best[p]]) == 0):",
        "            best[p] = v",
        "for p, v in sorted(best.items()):",
        "    if subprocess.call(['dpkg', '--compare-versions', v, 'gt', installed[p]]) == 0:",
        "        print(p + '\\t' + installed[p] + '\\t' + v)", ""));
    Map<String, String[]> out = new LinkedHashMap<>();
    for (String line : run(List.of("/usr/bin/python3", py.toString(), root.toString()))
        .lines().toList()) {
      String[] f = line.split("\t");
      out.put(f[0], new String[] {f[1], f[2]});
    }
    return out;
  }

  /** The CVE ids in the fixed package's changelog entries newer than the installed source. */
  private Set<String> cvesByOracle(Path root, String binary, String fixed) throws Exception {
    Path debs = Files.createDirectories(root.resolve("tmp/oracle"));
    run(List.of("chroot", root.toString(), "sh", "-c", "cd /tmp/oracle && rm -f *.deb && "
        + "apt-get download -q '" + binary + "=" + fixed + "' >/dev/null 2>&1 && chmod a+r *.deb"));
    Path unpacked = dir.resolve("unpacked-" + binary);
    try (var s = Files.list(debs)) {
      Path deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow();
      run(List.of("dpkg-deb", "-x", deb.toString(), unpacked.toString()));
    }
    String since = run(List.of("chroot", root.toString(), "dpkg-query", "-W",
        "-f=${source:Version}", binary)).strip();
    Path changelog;
    try (var s = Files.walk(unpacked.resolve("usr/share/doc"))) {
      List<Path> logs = s.filter(p -> p.getFileName().toString().startsWith("changelog"))
          .sorted().toList();
      changelog = logs.stream().filter(p -> p.getFileName().toString().equals(
          "changelog.Debian.gz")).findFirst().orElse(logs.get(0));
    }
    String changes = run(List.of("dpkg-parsechangelog", "-l", changelog.toString(), "--since",
        since, "-S", "Changes"));
    Set<String> ids = new TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("CVE-\\d{4}-\\d{4,}")
        .matcher(changes);
    while (m.find()) {
      ids.add(m.group());
    }
    return ids;
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ":\n" + out).isZero();
    return out;
  }
}
