package dev.kiln.cloudstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CloudStack's own acceptance rules on files made by qemu-img (not by Kiln) that CloudStack is
 * known to refuse — a backing file, an external data file, extended L2 entries — and on names
 * its URL check refuses; a plain qcow2 and a dynamic VHD pass, a fixed VHD is a warning.
 */
@Tag("validator")
class CloudStackAcceptanceTest {
  @TempDir
  Path dir;

  Path qemuImg(String name, String... args) throws Exception {
    Path out = dir.resolve(name);
    List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img", "create"));
    cmd.addAll(List.of(args));
    cmd.add(out.toString());
    cmd.add("64M");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(log).isZero();
    return out;
  }

  static List<String> refusals(Path file) throws Exception {
    return CloudStackAcceptance.check(file).stream().filter(CloudStackAcceptance.Finding::refused)
        .map(CloudStackAcceptance.Finding::toString).toList();
  }

  @Test
  void qcow2sCloudStackRefusesAreRefusedWithTheRuleTheyBreak() throws Exception {
    assertThat(CloudStackAcceptance.check(qemuImg("plain.qcow2", "-f", "qcow2"))).isEmpty();
    Path base = qemuImg("base.qcow2", "-f", "qcow2");
    assertThat(refusals(qemuImg("child.qcow2", "-f", "qcow2", "-b", base.toString(), "-F",
        "qcow2"))).singleElement().asString().contains("has a backing file")
        .endsWith("[Qcow2Inspector.validateAbsenceOfBackingFileReference]");
    assertThat(refusals(qemuImg("data.qcow2", "-f", "qcow2", "-o", "data_file="
        + dir.resolve("data.raw")))).singleElement().asString()
        .contains("external file");
    assertThat(refusals(qemuImg("l2.qcow2", "-f", "qcow2", "-o", "extended_l2=on")))
        .singleElement().asString().contains("incompatible feature bits 0x10");
  }

  @Test
  void namesTheManagementServerRefusesAreRefused() throws Exception {
    Path plain = qemuImg("plain.qcow2", "-f", "qcow2");
    Path xz = dir.resolve("x.qcow2.xz");
    Process p = new ProcessBuilder("bash", "-c", "xz -c " + plain + " > " + xz).start();
    assertThat(p.waitFor()).isZero();
    assertThat(refusals(xz)).singleElement().asString().contains("does not accept .xz")
        .endsWith("[UriUtils.COMMPRESSION_FORMATS]");
    Path wrongName = Files.copy(plain, dir.resolve("x.vhd"));
    assertThat(refusals(wrongName)).singleElement().asString().contains(
        "a qcow2 disk must be named .qcow2 or .img");
    Path bz2 = dir.resolve("x.qcow2.bz2");
    assertThat(new ProcessBuilder("bash", "-c", "bzip2 -c " + plain + " > " + bz2).start()
        .waitFor()).isZero();
    assertThat(CloudStackAcceptance.check(bz2)).isEmpty();
    assertThat(refusals(Files.createFile(dir.resolve("empty.qcow2")))).singleElement()
        .asString().contains("empty");
  }

  @Test
  void aDynamicVhdPassesAndAFixedOneIsAWarning() throws Exception {
    assertThat(CloudStackAcceptance.check(qemuImg("dyn.vhd", "-f", "vpc", "-o",
        "subformat=dynamic"))).isEmpty();
    List<CloudStackAcceptance.Finding> fixed = CloudStackAcceptance.check(qemuImg("fixed.vhd",
        "-f", "vpc", "-o", "subformat=fixed"));
    assertThat(fixed).singleElement().satisfies(f -> {
      assertThat(f.refused()).isFalse();
      assertThat(f.source()).isEqualTo("VhdProcessor.getTemplateVirtualSize");
    });
  }

  @Test
  void anOvaWithoutADescriptorOrWithAnUnreadableCapacityIsRefused() throws Exception {
    Path good = TestImages.image(dir, "t.ova");
    assertThat(CloudStackAcceptance.check(good)).isEmpty();
    // the same disk with the descriptor's capacity written without the ovf: prefix, and an
    // archive with no descriptor at all, both made with GNU tar
    Path x = Files.createDirectories(dir.resolve("x"));
    assertThat(new ProcessBuilder("tar", "-xf", good.toString(), "-C", x.toString()).start()
        .waitFor()).isZero();
    Path ovf;
    try (var files = Files.list(x)) {
      ovf = files.filter(f -> f.toString().endsWith(".ovf")).findFirst().orElseThrow();
    }
    Files.writeString(ovf, Files.readString(ovf).replace("ovf:capacity=", "capacity="));
    Path unprefixed = dir.resolve("unprefixed.ova");
    assertThat(new ProcessBuilder("bash", "-c", "cd " + x + " && tar -cf " + unprefixed + " "
        + ovf.getFileName() + " $(ls | grep -v '\\.ovf$')").start().waitFor()).isZero();
    assertThat(refusals(unprefixed)).singleElement().asString().contains(
        "has no positive ovf:capacity").endsWith("[OVAProcessor.getTemplateVirtualSize]");
    Path noOvf = dir.resolve("no-ovf.ova");
    assertThat(new ProcessBuilder("bash", "-c", "cd " + x + " && tar -cf " + noOvf
        + " $(ls | grep -v '\\.ovf$')").start().waitFor()).isZero();
    assertThat(refusals(noOvf)).singleElement().asString().contains("no .ovf descriptor");
  }
}
