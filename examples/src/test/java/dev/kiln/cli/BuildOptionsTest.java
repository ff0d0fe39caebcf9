package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code kiln build} decides before any work: variables from {@code --var} and var files,
 * {@code --only}/{@code --except}, and the refusal to replace an earlier build's artifacts
 * without {@code --force}. Each case exits 1 (invalid input) with one sentence, and nothing is fetched:
 * the recipe's source is a port nobody listens on, so a build that started would fail later,
 * with exit 4, naming the source stage.
 */
class BuildOptionsTest {
  @TempDir
  Path dir;

  private Path recipe() throws Exception {
    Path r = dir.resolve("web.yaml");
    Files.writeString(r, String.join("\n",
        "variables:",
        "  cpus: 2",
        "  token: {sensitive: true}",
        "name: web",
        "os: {id: debian, version: \"12\"}",
        "source:",
        "  cloudImage:",
        "    urls: [http://127.0.0.1:9/web.qcow2]",
        "    checksum: sha256:" + "ab".repeat(32),
        "machine: {cpus: \"${var.cpus}\"}",
        "provision:",
        "  - shell: \"echo ${var.token} > /root/token\"",
        "outputs:",
        "  - {hypervisor: kvm, format: qcow2}",
        "  - {hypervisor: xenserver, format: vhd, compression: bzip2}",
        ""));
    return r;
  }

  private CliTest.Run build(String... more) throws Exception {
    String[] args = new String[more.length + 6];
    args[0] = "build";
    args[1] = recipe().toString();
    args[2] = "--out";
    args[3] = dir.resolve("out").toString();
    args[4] = "--work-root";
    args[5] = dir.resolve("work").toString();
    System.arraycopy(more, 0, args, 6, more.length);
    return CliTest.kiln(args);
  }

  @Test
  void aVariableWithoutAValueIsNamedWithTheWaysToGiveIt() throws Exception {
    CliTest.Run r = CliTest.kiln("recipe", "validate", recipe().toString());
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out() + r.err()).contains(":12:").contains("variable 'token' has no value: "
        + "give --var token=VALUE, put it in a --var-file, or set KILN_VAR_token");
  }

  @Test
  void valuesComeFromVarFilesThenVarAndASensitiveOneNeverShows() throws Exception {
    Path vars = dir.resolve("vars.yaml");
    Files.writeString(vars, "token: from-the-file-Zq9\ncpus: 4\n");
    CliTest.Run ok = CliTest.kiln("recipe", "validate", recipe().toString(), "--var-file",
        vars.toString(), "--var", "cpus=3");
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out() + ok.err()).doesNotContain("from-the-file-Zq9");

    // a value the recipe's rules reject: the problem names the rule, never the value
    CliTest.Run bad = CliTest.kiln("recipe", "validate", recipe().toString(), "--var-file",
        vars.toString(), "--var", "cpus=-3");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out() + bad.err()).contains("machine.cpus").doesNotContain(
        "from-the-file-Zq9");

    CliTest.Run typo = CliTest.kiln("recipe", "validate", recipe().toString(), "--var",
        "tokn=x");
    assertThat(typo.exit()).isEqualTo(1);
    assertThat(typo.out() + typo.err()).contains("a value was given for 'tokn', which the "
        + "recipe does not declare (did you mean 'token'?)");
  }

  /** KILN_VAR_NAME from the environment, read in a process of its own (the JVM's is fixed). */
  @Test
  void aValueFromTheEnvironmentIsTakenAndNeverShown() throws Exception {
    Path r = recipe();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-cp", System.getProperty("java.class.path"),
        "dev.kiln.cli.KilnCli", "recipe", "validate", r.toString()).redirectErrorStream(true);
    pb.environment().put("KILN_VAR_token", "env-value-Qx7");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).doesNotContain("env-value-Qx7");
    // and a value the recipe's rules reject, from the environment too: named, not shown
    pb.environment().put("KILN_VAR_cpus", "many");
    p = pb.start();
    out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isEqualTo(1);
    assertThat(out).contains("machine.cpus").doesNotContain("env-value-Qx7");
  }

  /**
   * Under LANG=C the JVM's default charset is ASCII: piped output (JSON lines, a CI log) must
   * still be UTF-8, not "?" for every non-ASCII character.
   */
  @Test
  void pipedOutputIsUtf8WhateverTheLocale() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-cp", System.getProperty("java.class.path"),
        "dev.kiln.cli.KilnCli", "--help");
    pb.environment().put("LANG", "C");
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    assertThat(new String(out, java.nio.charset.StandardCharsets.UTF_8))
        .contains("x.raw.gz\u2026").doesNotContain("x.raw.gz?");
  }

  @Test
  void aBuildFormatNamesWhatCloudStackRegisters() throws Exception {
    CliTest.Run r = build("--var", "token=t", "--formats", "vmdk.gz", "--quiet");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("vmdk image, which no CloudStack hypervisor registers");
    r = build("--var", "token=t", "--formats", "qcow3", "--quiet");
    assertThat(r.err().strip()).isEqualTo("kiln build: unknown output format 'qcow3': give a "
        + "format CloudStack registers (img, ova, qcow2, raw, vhd, vhdx), optionally followed "
        + "by a packaging (.bz2, .gz, .zip or .xz), e.g. vhd.bz2");
  }

  @Test
  void onlyAndExceptNameOutputsAndAWrongNameIsRejectedBeforeAnyWork() throws Exception {
    CliTest.Run r = build("--var", "token=t", "--only", "vhd.bz", "--quiet");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("kiln build: the recipe has no output 'vhd.bz' (did "
        + "you mean 'vhd.bz2'?); its outputs: qcow2, vhd.bz2");

    CliTest.Run none = build("--var", "token=t", "--only", "qcow2", "--except", "qcow2",
        "--quiet");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("leave no output to write (outputs: qcow2, vhd.bz2)");

    // a valid selection gets past every check and fails where a build would: the source
    CliTest.Run started = build("--var", "token=t", "--except", "vhd.bz2", "--quiet");
    assertThat(started.exit()).as(started.err()).isEqualTo(4);
  }

  @Test
  void anEarlierBuildsArtifactIsNotReplacedWithoutForce() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("web.vhd.bz2"), "an earlier template");
    CliTest.Run r = build("--var", "token=t", "--quiet");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("kiln build: " + out.resolve("web.vhd.bz2")
        + " exists from an earlier build; use --force to replace it, or --out for another "
        + "directory");
    // --only qcow2 does not touch it, so there is nothing to refuse
    assertThat(build("--var", "token=t", "--only", "qcow2", "--quiet").exit()).isEqualTo(4);
    assertThat(build("--var", "token=t", "--force", "--quiet").exit()).isEqualTo(4);
    assertThat(out.resolve("web.vhd.bz2")).hasContent("an earlier template");
  }
}
