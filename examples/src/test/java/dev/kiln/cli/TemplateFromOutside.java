package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.internal.ssh.SshCommunicator;
import dev.kiln.kvm.Fixtures;
import dev.kiln.spi.Communicator.ExecRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The exported template as its user receives it, read with tools that are not Kiln's:
 * {@code partx} finds the root partition, {@code debugfs} reads its ext4 filesystem without
 * mounting it, {@code grep} reads every byte of the disk, allocated or not. And, booted as a
 * deployed VM, the template takes the distribution's security updates and boots their kernel.
 */
final class TemplateFromOutside {
  private TemplateFromOutside() {}

  private static Fixtures.Result bash(String command) throws Exception {
    return Fixtures.run(List.of("bash", "-c", command), 600);
  }

  /** {@code debugfs -R request} on the first partition of {@code raw}: its standard output. */
  static String debugfs(Path raw, String request) throws Exception {
    Fixtures.Result start = bash("partx -g -o START --nr 1 '" + raw + "'");
    assertThat(start.exit()).as(start.output()).isZero();
    long offset = Long.parseLong(start.output().strip()) * 512;
    Fixtures.Result r = bash("debugfs -R '" + request + "' '" + raw + "?offset=" + offset
        + "' 2>/dev/null");
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  /**
   * No build user in the files that define users, no home, no sudoers rule for it; the
   * {@code expectedFile} with {@code expectedContent} proves debugfs reads the right disk.
   */
  static void assertNoBuildUser(Path raw, String buildUser, String expectedFile,
      String expectedContent) throws Exception {
    assertThat(debugfs(raw, "cat " + expectedFile).strip()).isEqualTo(expectedContent);
    for (String file : List.of("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow")) {
      String content = debugfs(raw, "cat " + file);
      assertThat(content).as(file).contains("root:").doesNotContain(buildUser + ":");
    }
    assertThat(debugfs(raw, "ls -p /home")).doesNotContain("/" + buildUser + "/");
    Path sudoers = Files.createTempDirectory("kiln-sudoers-");
    try {
      debugfs(raw, "rdump /etc/sudoers.d " + sudoers);
      Fixtures.Result rules = bash("cat '" + sudoers + "'/sudoers.d/* /dev/null");
      assertThat(rules.output()).as("sudoers.d").doesNotContain(buildUser);
      assertThat(debugfs(raw, "cat /etc/sudoers")).contains("root").doesNotContain(buildUser);
    } finally {
      Fixtures.deleteTree(sudoers);
    }
  }

  /**
   * Debian's Python prints the offset of every private key in a file: a header followed by a
   * key body (OpenSSH's programs hold the bare header as a string, so the header alone is in
   * every image). Python, not {@code grep -b}: GNU grep 3.8 skips sparse holes and then
   * misreports offsets after them.
   */
  private static final String FIND_KEYS = String.join("\n",
      "import mmap, re, sys",
      "pat = re.compile(rb'-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\\r?\\n'",
      "                 rb'(?:[A-Za-z-]+: [^\\n]*\\n){0,3}\\r?\\n?[A-Za-z0-9+/=]{64}')",
      "with open(sys.argv[1], 'rb') as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:",
      "    pos = m.find(b'-----BEGIN ')",
      "    while pos >= 0:",
      "        if pat.match(m, pos):",
      "            print(pos)",
      "        pos = m.find(b'-----BEGIN ', pos + 1)", "");

  private static String findKeys(Path file, Path script) {
    return "/usr/bin/python3 '" + script + "' '" + file + "'";
  }

  /**
   * No private key anywhere in the disk's bytes, allocated or not, except string constants
   * inside executables and libraries (GnuTLS carries test keys): Python finds every key in the
   * raw disk, and debugfs says where each one is — in no file (a free block: a deleted key), in
   * a file, or in an ELF file. Two controls prove the search can fail: grep finds
   * {@code presentText} in this disk (NUL-separated records keep its lines short across zeroed
   * space), and the same search finds a key ssh-keygen just made.
   */
  static void assertNoPrivateKeyHeader(Path raw, String presentText) throws Exception {
    Fixtures.Result control = bash("LC_ALL=C grep -a -z -c -F '" + presentText + "' '" + raw
        + "'");
    assertThat(control.output().strip()).as("grep finds " + presentText).isNotEqualTo("0");
    Path key = Files.createTempDirectory("kiln-key-");
    try {
      Path finder = key.resolve("find-keys.py");
      Files.writeString(finder, FIND_KEYS);
      Fixtures.Result made = bash("ssh-keygen -q -t ed25519 -N '' -f '" + key + "/k' && "
          + findKeys(key.resolve("k"), finder));
      assertThat(made.output().strip()).as("the search finds a real key").isEqualTo("0");
      assertKeysOnlyInBinaries(raw, finder);
    } finally {
      Fixtures.deleteTree(key);
    }
  }

  private static void assertKeysOnlyInBinaries(Path raw, Path finder) throws Exception {
    String script = String.join("\n",
        "raw='" + raw + "'",
        "start=$(( $(partx -g -o START --nr 1 \"$raw\") * 512 ))",
        "fs=\"$raw?offset=$start\"",
        "bs=$(debugfs -R stats \"$fs\" 2>/dev/null | awk '/^Block size:/ {print $3}')",
        findKeys(raw, finder) + " | while read -r off; do",
        "  rel=$((off - start))",
        "  if [ \"$rel\" -lt 0 ]; then echo \"$off outside-the-filesystem\"; continue; fi",
        "  ino=$(debugfs -R \"icheck $((rel / bs))\" \"$fs\" 2>/dev/null "
            + "| awk 'NR==2 {print $2}')",
        "  case \"$ino\" in ''|'<block') echo \"$off in-a-free-block\"; continue ;; esac",
        "  path=$(debugfs -R \"ncheck $ino\" \"$fs\" 2>/dev/null | awk 'NR==2 {print $2}')",
        "  magic=$(debugfs -R \"cat $path\" \"$fs\" 2>/dev/null | head -c 4 | od -An -tx1 "
            + "| tr -d ' \\n')",
        "  if [ \"$magic\" = 7f454c46 ]; then echo \"$off elf $path\"; "
            + "else echo \"$off in-file $path\"; fi",
        "done", "");
    Fixtures.Result where = bash(script);
    assertThat(where.exit()).as(where.output()).isZero();
    assertThat(where.output().lines().filter(l -> !l.matches("\\d+ elf /\\S+")).toList())
        .as("private keys outside executables and libraries:\n" + where.output()).isEmpty();
  }

  /**
   * A template a deployed VM can patch: the release, -updates and -security suites, no build
   * proxy left in apt's configuration, GRUB installed as Debian's package with a boot menu
   * generated by grub-mkconfig from /etc/default/grub.
   */
  static void assertPatchable(Path raw, String suite) throws Exception {
    String sources = debugfs(raw, "cat /etc/apt/sources.list");
    assertThat(sources).containsPattern("(?m)^deb \\S+ " + suite + " main")
        .containsPattern("(?m)^deb \\S+ " + suite + "-updates main")
        .containsPattern("(?m)^deb \\S+-security " + suite + "-security main");
    Path apt = Files.createTempDirectory("kiln-apt-");
    try {
      debugfs(raw, "rdump /etc/apt " + apt);
      Fixtures.Result proxy = bash("grep -rIniE 'Acquire::.*proxy|127\\.0\\.0\\.1:3142' '" + apt
          + "' || true");
      assertThat(proxy.output().strip()).as("apt configuration").isEmpty();
    } finally {
      Fixtures.deleteTree(apt);
    }
    String status = debugfs(raw, "cat /var/lib/dpkg/status");
    assertThat(status).containsPattern("Package: grub-pc\\nStatus: install ok installed");
    assertThat(debugfs(raw, "cat /etc/default/grub")).contains("GRUB_CMDLINE_LINUX");
    assertThat(debugfs(raw, "cat /boot/grub/grub.cfg"))
        .contains("### BEGIN /etc/grub.d/10_linux ###");
  }

  /**
   * The SBOM lists exactly the packages of the template's own dpkg database, read from the
   * artifact by debugfs and counted by the host's {@code dpkg-query --admindir}; it validates
   * against the official CycloneDX schema.
   */
  static void assertSbomMatchesThePackageDatabase(Path raw, Path sbom) throws Exception {
    List<String[]> installed = installedPackages(raw);
    java.util.Set<String> fromDisk = new java.util.TreeSet<>(installed.stream().map(p -> p[0])
        .toList());
    var bom = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sbom.toFile());
    java.util.Set<String> inSbom = new java.util.TreeSet<>();
    bom.path("components").forEach(c -> inSbom.add(c.path("name").asText()));
    assertThat(fromDisk).hasSizeGreaterThan(100);
    assertThat(inSbom).isEqualTo(fromDisk);
    assertThat(bom.path("components")).hasSize(installed.size());
    Path schemas = Files.createTempDirectory("kiln-cdx-schemas-");
    try {
      for (String name : List.of("bom-1.6.schema.json", "spdx.schema.json",
          "jsf-0.82.schema.json")) {
        try (var in = org.cyclonedx.model.Bom.class.getResourceAsStream("/" + name)) {
          Files.copy(in, schemas.resolve(name));
        }
      }
      Fixtures.Result valid = bash("/usr/bin/python3 " + Fixtures.repoRoot().resolve(
          "scripts/validate-cyclonedx.py") + " " + schemas + " " + sbom);
      assertThat(valid.output()).as("CycloneDX schema").isEqualTo("valid\n");
    } finally {
      Fixtures.deleteTree(schemas);
    }
  }

  /**
   * The OpenSCAP outputs as a user reads them: {@code xmllint} counts the ARF's XCCDF results
   * (the manifest's counts must be those), the ARF's digest is the manifest's, the HTML report
   * names the profile, and the template's own package database (read from the disk) holds no
   * OpenSCAP package: the scan removed what it installed.
   */
  static void assertHardeningReportMatches(Path out, JsonNode hardening, Path raw,
      String profile) throws Exception {
    Path arf = out.resolve(hardening.path("arf").asText());
    assertThat(hardening.path("profile").asText()).isEqualTo(profile);
    String results = "//*[local-name()='TestResult']/*[local-name()='rule-result']"
        + "/*[local-name()='result']";
    Fixtures.Result selected = bash("xmllint --xpath \"count(" + results
        + "[text()!='notselected'])\" " + arf);
    assertThat(selected.exit()).as(selected.output()).isZero();
    assertThat(hardening.path("rules").asInt()).as("rules the profile selects").isPositive()
        .isEqualTo(Integer.parseInt(selected.output().strip()));
    for (String result : List.of("pass", "fail", "error", "notapplicable", "unknown")) {
      Fixtures.Result n = bash("xmllint --xpath \"count(" + results + "[text()='" + result
          + "'])\" " + arf);
      assertThat(hardening.path("results").path(result).asInt(0)).as(result)
          .isEqualTo(Integer.parseInt(n.output().strip()));
    }
    assertThat(hardening.path("results").path("pass").asInt()).isPositive();
    assertThat(hardening.path("failedRules").size()).isEqualTo(hardening.path("results")
        .path("fail").asInt(0) + hardening.path("results").path("error").asInt(0));
    Fixtures.Result sum = bash("sha256sum " + arf);
    assertThat(sum.output()).startsWith(hardening.path("arfSha256").asText() + " ");
    Fixtures.Result system = bash("xmllint --xpath \"string(//*[local-name()='TestResult']"
        + "/@test-system)\" " + arf);
    assertThat(system.output().strip()).startsWith("cpe:/a:redhat:openscap:")
        .isEqualTo(hardening.path("scanner").asText());
    assertThat(Files.readString(out.resolve(hardening.path("report").asText())))
        .contains("OpenSCAP Evaluation Report", profile);
    assertThat(installedPackages(raw)).noneMatch(p -> p[0].contains("openscap"));
  }

  /**
   * The template's installed packages as {name, version}, one per dpkg database entry: the
   * database read from the disk by debugfs and listed by the host's {@code dpkg-query}.
   */
  static List<String[]> installedPackages(Path raw) throws Exception {
    Path admin = Files.createTempDirectory("kiln-dpkg-");
    try {
      Files.createDirectories(admin.resolve("updates"));
      Files.writeString(admin.resolve("status"), debugfs(raw, "cat /var/lib/dpkg/status"));
      Fixtures.Result q = bash("dpkg-query --admindir='" + admin + "' -W "
          + "-f='${Package}\\t${Version}\\n'");
      assertThat(q.exit()).as(q.output()).isZero();
      return q.output().strip().lines().map(l -> l.split("\t", 2)).toList();
    } finally {
      Fixtures.deleteTree(admin);
    }
  }

  /**
   * The security report agrees with the template's own package database (read from the disk
   * by debugfs, listed by the host's {@code dpkg-query}): each pending package is installed at
   * the version reported, its fixed version is newer by {@code dpkg --compare-versions}, and
   * every SBOM vulnerability affects a component at that installed version.
   */
  static void assertSecurityFindingsMatchTheDisk(Path raw, JsonNode security, Path sbom)
      throws Exception {
    assertThat(security.path("updates").asText()).isEqualTo("report");
    assertThat(security.path("pending").size()).as("the fixture is Debian's point release, "
        + "the security suite has newer packages").isPositive()
        .isEqualTo(security.path("pendingCount").asInt());
    Map<String, String> installed = new java.util.HashMap<>();
    installedPackages(raw).forEach(p -> installed.put(p[0], p[1]));
    for (JsonNode p : security.path("pending")) {
      String name = p.path("name").asText();
      assertThat(installed.get(name)).as(name + " on the disk").isEqualTo(
          p.path("installed").asText());
      Fixtures.Result newer = bash("dpkg --compare-versions '" + p.path("fixed").asText()
          + "' gt '" + p.path("installed").asText() + "'");
      assertThat(newer.exit()).as(p.toString()).isZero();
    }
    var bom = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sbom.toFile());
    Map<String, String> versionByRef = new java.util.HashMap<>();
    bom.path("components").forEach(c -> versionByRef.put(c.path("bom-ref").asText(),
        c.path("version").asText()));
    int cves = 0;
    for (JsonNode v : bom.path("vulnerabilities")) {
      assertThat(v.path("id").asText()).matches("CVE-\\d{4}-\\d{4,}");
      for (JsonNode a : v.path("affects")) {
        assertThat(versionByRef).containsKey(a.path("ref").asText());
        assertThat(a.path("versions").get(0).path("version").asText()).isEqualTo(
            versionByRef.get(a.path("ref").asText()));
      }
      cves++;
    }
    assertThat(cves).isEqualTo(security.path("cveCount").asInt());
  }

  /**
   * A reboot of a VM from the template keeps its identity: the same instance id, machine id
   * and host key fingerprint afterwards (the reconnect is pinned to the first boot's key).
   */
  static void assertRebootKeepsIdentity(SshCommunicator ssh) throws Exception {
    String identity = "cat /var/lib/cloud/data/instance-id /etc/machine-id; "
        + "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub";
    String before = ProvisionAndGeneralizeVmTest.sh(ssh, identity);
    String bootId = ProvisionAndGeneralizeVmTest.sh(ssh, "cat /proc/sys/kernel/random/boot_id");
    ssh.execExpectingDisconnect(new ExecRequest("nohup sh -c 'sleep 1; reboot' >/dev/null "
        + "2>&1 &", Duration.ofSeconds(30), Map.of(), true, false));
    ssh.awaitReconnect(Duration.ofMinutes(10));
    assertThat(ProvisionAndGeneralizeVmTest.sh(ssh, "cat /proc/sys/kernel/random/boot_id"))
        .as("a new boot").isNotEqualTo(bootId);
    ProvisionAndGeneralizeVmTest.sh(ssh, "cloud-init status --wait >/dev/null; true");
    assertThat(ProvisionAndGeneralizeVmTest.sh(ssh, identity)).as("identity after a reboot")
        .isEqualTo(before);
  }

  /**
   * In a VM booted from the template: {@code apt-get} through a package proxy on the host's
   * loopback (an SSH remote forward of this connection) upgrades {@code linux-image-amd64} to
   * the security suite's kernel (a new kernel ABI is a new package, which the metapackage pulls
   * in; the whole upgrade took over 20 minutes under TCG, the kernel alone proves the suites
   * and the boot loader), and after a reboot that kernel runs with the same host keys: the
   * reconnect is pinned to the first boot's key, and the fingerprint is compared too.
   */
  static void assertSecurityUpdateIsBooted(SshCommunicator ssh, int proxyPort)
      throws Exception {
    String before = ProvisionAndGeneralizeVmTest.sh(ssh, "uname -r");
    String hostKey = ProvisionAndGeneralizeVmTest.sh(ssh,
        "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
    ssh.forwardRemote(3142, proxyPort);
    var upgrade = ssh.exec(new ExecRequest("env http_proxy=http://127.0.0.1:3142 "
        + "DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -q && apt-get install -y -q "
        + "--only-upgrade linux-image-amd64' >/tmp/upgrade.log 2>&1"
        + " || { tail -40 /tmp/upgrade.log; exit 1; }", Duration.ofMinutes(30), Map.of(),
        true, false));
    assertThat(upgrade.exitCode()).as(upgrade.stdoutTail() + upgrade.stderrTail()).isZero();
    String newest = ProvisionAndGeneralizeVmTest.sh(ssh,
        "ls /boot/vmlinuz-* | sed 's|^/boot/vmlinuz-||' | sort -V | tail -1");
    assertThat(newest).as("a newer kernel from the security suite").isNotEqualTo(before);
    ssh.execExpectingDisconnect(new ExecRequest("nohup sh -c 'sleep 1; reboot' >/dev/null "
        + "2>&1 &", Duration.ofSeconds(30), Map.of(), true, false));
    ssh.awaitReconnect(Duration.ofMinutes(10));
    assertThat(ProvisionAndGeneralizeVmTest.sh(ssh, "uname -r")).isEqualTo(newest);
    assertThat(ProvisionAndGeneralizeVmTest.sh(ssh,
        "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")).as("host key after the reboot")
        .isEqualTo(hostKey);
  }
}
