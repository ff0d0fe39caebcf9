package dev.kiln.core;

import dev.kiln.api.Accelerator;
import dev.kiln.api.Checksum;
import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.GeneralizeOptions;
import dev.kiln.api.GuestForward;
import dev.kiln.api.InvalidRecipeException;
import dev.kiln.api.IsoSource;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.Recipe;
import dev.kiln.api.RecipeProblem;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.TemplateTest;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipesTest {
  private static final Path BASE = Path.of("/recipes");

  private static Recipe parse(String yaml) throws InvalidRecipeException {
    return Recipes.parse(yaml, "r.yaml", BASE);
  }

  private static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (InvalidRecipeException e) {
      return e.problems().stream().map(RecipeProblem::toString).collect(Collectors.toList());
    }
    throw new AssertionError("recipe was accepted:\n" + yaml);
  }

  private static final String MINIMAL = "os: {id: debian, version: '12'}\n"
      + "source: {debootstrap: {suite: bookworm}}\n";

  /**
   * What a build on this machine would refuse later is reported by validation, all at once with
   * line and column: an OS the catalog does not know (with a did-you-mean), files that are not
   * there, an environment secret that is not set. The same recipe passes the plain parse.
   */
  @Test
  void loadForBuildReportsWhatTheBuildWouldRefuseAllAtOnce(@org.junit.jupiter.api.io.TempDir
      Path dir) throws Exception {
    String yaml = String.join("\n", "name: x", "os: {id: debain, version: \"12\"}",
        "source:", "  iso:", "    path: missing.iso", "    checksum: sha256:" + "ab".repeat(32),
        "answers:", "  rootPassword: {env: KILN_TEST_SURELY_UNSET_1234}", "provision:",
        "  - script: scripts/none.sh", "  - upload: {source: files/none, destination: /etc/x}",
        "outputs:", "  - {hypervisor: kvm, format: qcow2}", "");
    Path file = dir.resolve("r.yaml");
    java.nio.file.Files.writeString(file, yaml);
    assertThat(Recipes.load(file).os().id()).isEqualTo("debain");
    assertThatThrownBy(() -> Recipes.loadForBuild(file, java.util.Map.of("debian",
        List.of("12", "13"), "ubuntu", List.of("24.04"))))
        .isInstanceOf(InvalidRecipeException.class)
        .satisfies(e -> assertThat(((InvalidRecipeException) e).problems().stream()
            .map(RecipeProblem::toString).toList()).containsExactly(
                file + ":2:10: os.id: 'debain' is not an OS Kiln knows (did you mean "
                    + "'debian'?); kiln list shows them all",
                file + ":5:11: source.iso.path: no readable file " + dir.resolve("missing.iso")
                    + " (relative paths start at the recipe's folder)",
                file + ":8:23: answers.rootPassword.env: KILN_TEST_SURELY_UNSET_1234 is not "
                    + "set in this environment; the build reads the secret from it, so export "
                    + "it first",
                file + ":10:13: provision[0].script: no readable file "
                    + dir.resolve("scripts/none.sh") + " (relative paths start at the recipe's"
                    + " folder)",
                file + ":11:22: provision[1].upload.source: no readable file "
                    + dir.resolve("files/none") + " (relative paths start at the recipe's "
                    + "folder)"));
  }

  @Test
  void minimalRecipeGetsDocumentedDefaults() throws Exception {
    Recipe r = parse(MINIMAL);
    assertThat(r.name()).isEqualTo("debian-12");
    assertThat(r.source()).isEqualTo(new DebootstrapSource("bookworm",
        java.net.URI.create("http://deb.debian.org/debian"), List.of()));
    assertThat(r.machine().cpus()).isEqualTo(2);
    assertThat(r.machine().accelerator()).isEqualTo(Accelerator.AUTO);
    assertThat(r.outputs()).containsExactly(
        new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE));
    assertThat(r.generalize()).isEqualTo(GeneralizeOptions.DEFAULTS);
  }

  @Test
  void sizesAcceptUnitsAndPlainBytes() throws Exception {
    Recipe r = parse(MINIMAL + "machine: {memory: 3GiB, diskSize: 21474836480}\n");
    assertThat(r.machine().memoryMiB()).isEqualTo(3072);
    assertThat(r.machine().diskSizeBytes()).isEqualTo(20L << 30);
    assertThat(parse(MINIMAL + "machine: {memory: 512M, diskSize: 2G}\n").machine()
        .memoryMiB()).isEqualTo(512);
  }

  @Test
  void isoSourceKeepsMirrorsInOrderAndChecksum() throws Exception {
    String hex = "a".repeat(64);
    Recipe r = parse("os: {id: ubuntu, version: '24.04'}\n"
        + "source:\n  iso:\n    urls: [https://a/x.iso, https://b/x.iso]\n"
        + "    checksum: sha256:" + hex + "\n");
    RemoteFile iso = ((IsoSource) r.source()).iso();
    assertThat(iso.urls()).extracting(Object::toString)
        .containsExactly("https://a/x.iso", "https://b/x.iso");
    assertThat(iso.checksum()).contains(new Checksum(Checksum.Algorithm.SHA256, hex));
  }

  @Test
  void localPathsResolveAgainstTheRecipeFolder() throws Exception {
    Recipe r = parse("os: {id: ubuntu, version: '24.04'}\nsource: {iso: {path: isos/u.iso}}\n"
        + "provision:\n  - script: s/x.sh\n");
    assertThat(((IsoSource) r.source()).iso().path()).contains(BASE.resolve("isos/u.iso"));
    assertThat(((ProvisionStep.Shell) r.provisioning().get(0)).script())
        .contains(BASE.resolve("s/x.sh"));
  }

  @Test
  void badYamlIsReportedWithItsLine() {
    assertThat(problems("os: {id: debian\nsource: [\n")).singleElement().asString()
        .startsWith("r.yaml:").contains("invalid YAML");
  }

  @Test
  void unknownKeySuggestsTheClosestKnownOne() {
    assertThat(problems(MINIMAL + "machine:\n  memroy: 2GiB\n")).containsExactly(
        "r.yaml:4:3: machine.memroy: unknown key (did you mean 'memory'?)");
  }

  @Test
  void unknownTopLevelKeyListsKnownKeysWhenNothingIsClose() {
    assertThat(problems(MINIMAL + "zzzzzzzz: 1\n")).singleElement().asString()
        .contains("zzzzzzzz: unknown key; known keys: variables, name, os, source");
  }

  @Test
  void checksumsAreSha256AlwaysAndWhatTheRecipeAddsAndAMisspeltOneIsNamed() throws Exception {
    assertThat(parse(MINIMAL).checksums()).containsExactly(Checksum.Algorithm.SHA256);
    assertThat(parse(MINIMAL + "checksums: [sha512, md5]\n").checksums()).containsExactly(
        Checksum.Algorithm.SHA256, Checksum.Algorithm.SHA512, Checksum.Algorithm.MD5);
    assertThat(problems(MINIMAL + "checksums: [sha521]\n")).singleElement().asString()
        .endsWith("checksums: 'sha521' is not a checksum Kiln writes (did you mean 'sha512'?); "
            + "use sha256, sha512 or md5");
  }

  @Test
  void securityPolicyReportsByDefaultAndApplyHoldsToNoneUnlessTheRecipeSaysMore()
      throws Exception {
    assertThat(parse(MINIMAL).security()).isEqualTo(dev.kiln.api.SecurityPolicy.DEFAULTS);
    assertThat(parse(MINIMAL).security().limit()).isEmpty();
    dev.kiln.api.SecurityPolicy apply = parse(MINIMAL + "security: {updates: apply}\n")
        .security();
    assertThat(apply.updates()).isEqualTo(dev.kiln.api.SecurityPolicy.Updates.APPLY);
    assertThat(apply.limit()).hasValue(0);
    assertThat(parse(MINIMAL + "security: {updates: report, maxPending: 12}\n").security()
        .limit()).hasValue(12);
    assertThat(problems(MINIMAL + "security: {updates: aply, maxPendin: 3}\n")).containsExactly(
        "r.yaml:3:21: security.updates: must be one of apply, report, was 'aply' (did you mean "
            + "'apply'?)",
        "r.yaml:3:27: security.maxPendin: unknown key (did you mean 'maxPending'?)");
    assertThat(problems(MINIMAL + "security: {maxPending: -1}\n")).singleElement().asString()
        .contains("security.maxPending");
  }

  @Test
  void hardeningNamesAProfileAndOptionallyVerifiedContentADataStreamAndALimit()
      throws Exception {
    assertThat(parse(MINIMAL).hardening()).isEmpty();
    dev.kiln.api.HardeningScan scan = parse(MINIMAL + "hardening:\n  profile: standard\n"
        + "  content:\n    urls: [http://deb.debian.org/debian/pool/main/s/scap-security-guide/"
        + "ssg-debian_0.1.76-1_all.deb]\n    checksum: sha256:" + "ab".repeat(32) + "\n"
        + "  maxFailed: 3\n").hardening().orElseThrow();
    assertThat(scan.profileId()).isEqualTo("xccdf_org.ssgproject.content_profile_standard");
    assertThat(scan.datastreamFor(new dev.kiln.api.OsSelection("debian", "12")))
        .isEqualTo("ssg-debian12-ds.xml");
    assertThat(scan.datastreamFor(new dev.kiln.api.OsSelection("ubuntu", "24.04")))
        .isEqualTo("ssg-ubuntu2404-ds.xml");
    assertThat(scan.content().orElseThrow().checksum()).isPresent();
    assertThat(scan.maxFailed()).hasValue(3);
    assertThat(parse(MINIMAL + "hardening: {profile: xccdf_org.example_profile_x, datastream: "
        + "my-ds.xml}\n").hardening().orElseThrow().profileId())
        .isEqualTo("xccdf_org.example_profile_x");
    // every problem at once: a missing profile, a typo, an unverified download, a path
    assertThat(problems(MINIMAL + "hardening:\n  maxFaild: 1\n  datastream: ../ds.xml\n"
        + "  content: {urls: [http://example.org/ssg.deb]}\n")).containsExactly(
        "r.yaml:4:3: hardening.profile: missing required field: the XCCDF profile to evaluate, "
            + "e.g. standard",
        "r.yaml:4:3: hardening.maxFaild: unknown key (did you mean 'maxFailed'?)",
        "r.yaml:5:15: hardening.datastream: must be the data stream's file name, such as "
            + "ssg-debian12-ds.xml, was '../ds.xml'",
        "r.yaml:6:12: hardening.content: a download needs 'checksum' or 'checksumFile' so Kiln "
            + "can verify it");
    assertThat(problems(MINIMAL + "hardening: {profile: 'standard; reboot'}\n")).singleElement()
        .asString().contains("hardening.profile: must be an XCCDF profile id");
  }

  @Test
  void negativeDiskSizeIsOutOfRange() {
    assertThat(problems(MINIMAL + "machine:\n  diskSize: -10GiB\n")).containsExactly(
        "r.yaml:4:13: machine.diskSize: must be positive, was -10GiB");
  }

  @Test
  void missingSourceIsNamed() {
    assertThat(problems("os: {id: debian, version: '12'}\n")).singleElement().asString()
        .contains("source: missing required field: one of iso, cloudImage, debootstrap");
  }

  @Test
  void twoSourcesAreMutuallyExclusive() {
    assertThat(problems("os: {id: debian, version: '12'}\nsource:\n  debootstrap: {}\n"
        + "  iso: {path: /x.iso}\n")).containsExactly("r.yaml:4:8: source.iso: 'debootstrap' "
            + "and 'iso' are mutually exclusive; keep only one of iso, cloudImage, debootstrap");
  }

  @Test
  void wrongTypesAreNamed() {
    assertThat(problems(MINIMAL + "machine: {cpus: two, secureBoot: 1}\n")).containsExactly(
        "r.yaml:3:17: machine.cpus: expected a whole number, found text",
        "r.yaml:3:34: machine.secureBoot: expected true or false, found a whole number");
  }

  @Test
  void everyProblemIsReportedAtOnceInFileOrder() {
    List<String> all = problems("os: {id: Debian}\n"
        + "source: {iso: {urls: [ftp://x/y.iso]}}\n"
        + "machine: {cpus: 0, firmware: bois, accelerator: kvm, secureBoot: true}\n"
        + "answers:\n  users:\n    - {name: Root, sshKeys: [not-a-key]}\n"
        + "outputs:\n  - {hypervisor: vmware, format: qcow2}\n  - {hypervisor: kvm, format: ova}\n"
        + "generalize: {skip: [machine-ids]}\n");
    assertThat(all).containsExactly(
        "r.yaml:1:5: os.version: missing required field",
        "r.yaml:1:10: os.id: must be a catalog id in lower case, e.g. debian, ubuntu, almalinux",
        "r.yaml:2:15: source.iso: a download needs 'checksum' or 'checksumFile' so Kiln can "
            + "verify it",
        "r.yaml:2:23: source.iso.urls[0]: expected a URL with scheme file or http or https, "
            + "was 'ftp://x/y.iso'",
        "r.yaml:3:17: machine.cpus: must be between 1 and 256, was 0",
        "r.yaml:3:30: machine.firmware: must be one of bios, uefi, was 'bois' (did you mean "
            + "'bios'?)",
        "r.yaml:3:66: machine.secureBoot: secure boot needs 'firmware: uefi'",
        "r.yaml:6:14: answers.users[0].name: must be a login name: lower-case letters, digits, "
            + "'_' or '-', at most 32",
        "r.yaml:6:30: answers.users[0].sshKeys[0]: not an SSH public key (expected "
            + "'ssh-ed25519 AAAA… comment' on one line)",
        "r.yaml:8:34: outputs[0].format: vmware does not take qcow2; use ova",
        "r.yaml:9:31: outputs[1].format: kvm does not take ova; use qcow2 or raw",
        "r.yaml:10:21: generalize.skip[0]: unknown operation 'machine-ids' (did you mean "
            + "'machine-id'?)");
  }

  @Test
  void duplicateKeysAreProblems() {
    assertThat(problems(MINIMAL + "machine: {cpus: 2}\nmachine: {cpus: 4}\n"))
        .singleElement().asString().contains("duplicate key (first at line 3)");
  }

  @Test
  void secretsComeFromEnvironmentOrFileAndNeverPrintTheirValue() throws Exception {
    Recipe r = parse(MINIMAL + "answers:\n  rootPassword: hunter2\n  users:\n"
        + "    - {name: ops, password: {env: OPS_PW}}\n");
    assertThat(r.answers().rootPassword()).hasValueSatisfying(
        s -> assertThat(s.toString()).isEqualTo("Secret[****]"));
    assertThat(r.toString()).doesNotContain("hunter2").contains("Secret[env:OPS_PW]");
  }

  @Test
  void publishByUrlNeedsAnAddressToServeFrom() {
    assertThat(problems(MINIMAL + "publish:\n  - {osType: Debian 12}\n")).singleElement()
        .asString().contains("publish[0].serveFrom: URL registration needs the address");
  }

  @Test
  void emptyRecipeIsAProblemNotACrash() {
    assertThat(problems("")).containsExactly("r.yaml: the recipe is empty");
    assertThat(problems("- a\n- b\n")).singleElement().asString()
        .contains("expected a map, found a list");
  }

  @Test
  void deeplyNestedDocumentIsRejectedWithoutStackOverflow() {
    String deep = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
    assertThat(problems(deep)).singleElement().asString().contains("invalid YAML");
  }

  @Test
  void provisionStepsKeepOrderAndTimeouts() throws Exception {
    Recipe r = parse(MINIMAL + "provision:\n  - shell: echo hi\n    timeout: 90s\n"
        + "  - reboot: true\n  - packages: {install: [nginx], upgrade: true}\n"
        + "  - upload: {source: f, destination: /etc/f}\n");
    assertThat(r.provisioning()).hasSize(4);
    assertThat(((ProvisionStep.Shell) r.provisioning().get(0)).timeout().getSeconds())
        .isEqualTo(90);
    assertThat(r.provisioning().get(2))
        .isEqualTo(new ProvisionStep.Packages(List.of("nginx"), true));
  }

  @Test
  void checksumParseRejectsWrongLengths() {
    assertThatThrownBy(() -> Checksum.parse("sha256:abc"))
        .hasMessageContaining("needs 64 hex digits");
    assertThatThrownBy(() -> Checksum.parse("crc32:abc"))
        .hasMessageContaining("unknown checksum algorithm");
  }

  /** Defect: the machine's network, VNC and guest forwards could not be set from a recipe. */
  @Test
  void machineNetworkVncAndGuestForwardsComeFromTheRecipe() throws Exception {
    Recipe r = parse(MINIMAL + "machine:\n  vnc: true\n  guestForwards:\n"
        + "    - {address: 10.0.2.100, port: 3142, hostPort: 13142}\n");
    assertThat(r.machine().vnc()).isTrue();
    assertThat(r.machine().guestForwards()).containsExactly(
        new GuestForward("10.0.2.100", 3142, 13142));
    assertThat(r.machine().libvirtNetwork()).isEmpty();
    Recipe prod = parse(MINIMAL + "machine: {network: templates-net}\n");
    assertThat(prod.machine().libvirtNetwork()).contains("templates-net");
    assertThat(prod.machine().vnc()).isFalse();
  }

  @Test
  void badNetworkSettingsAreReportedTogether() {
    assertThat(problems(MINIMAL + "machine:\n  network: 'no spaces'\n  guestForwards:\n"
        + "    - {address: 192.168.1.5, port: 80}\n")).containsExactlyInAnyOrder(
        "r.yaml:4:12: machine.network: a libvirt network name is 1-64 of [A-Za-z0-9._-], was "
            + "'no spaces'",
        "r.yaml:6:7: machine.guestForwards[0].hostPort: a guest forward needs port and hostPort",
        "r.yaml:6:17: machine.guestForwards[0].address: guest forwards live in QEMU's "
            + "10.0.2.0/24 network, was '192.168.1.5'");
    assertThat(problems(MINIMAL + "machine:\n  network: prod\n  guestForwards:\n"
        + "    - {port: 80, hostPort: 8080}\n")).singleElement().asString().endsWith(
            "machine.guestForwards: guest forwards need QEMU user networking; leave out "
            + "'network' or the forwards");
  }
  @Test
  void testsRunInTheVerifyBootComeFromTheRecipe() throws Exception {
    Recipe r = parse(MINIMAL + "tests:\n  - {name: nginx answers, run: curl -fs localhost, "
        + "outputMatches: 'Welcome'}\n  - {name: no telnet, run: command -v telnet, "
        + "exitCode: 1}\n");
    assertThat(r.tests()).containsExactly(
        new TemplateTest("nginx answers", "curl -fs localhost", 0, Optional.of("Welcome")),
        new TemplateTest("no telnet", "command -v telnet", 1, Optional.empty()));
    assertThat(problems(MINIMAL + "tests:\n  - {name: x, run: 'true', exitCode: 300, "
        + "outputMatches: '(unclosed'}\n  - {run: 'true'}\n")).containsExactlyInAnyOrder(
        "r.yaml:4:38: tests[0].exitCode: must be between 0 and 255, was 300",
        "r.yaml:4:58: tests[0].outputMatches: not a regular expression (Unclosed group)",
        "r.yaml:5:5: tests[1].name: missing required field");
  }
}
