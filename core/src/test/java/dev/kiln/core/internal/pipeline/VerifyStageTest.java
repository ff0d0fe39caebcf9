package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.BuildFailedException;
import dev.kiln.api.TemplateTest;
import dev.kiln.api.event.Stage;
import dev.kiln.core.testing.FakeHypervisor;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.spi.MachineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verify stage with SPI fakes (no VM runs in a unit test; the real boot is in the VM
 * tests): the template's answers decide each check, the ConfigDrive Kiln wrote is read back
 * with the ISO reader, and the JUnit report is judged by {@code xmllint}.
 */
class VerifyStageTest {
  static final String BUILD_MACHINE_ID = "0123456789abcdef0123456789abcdef";
  @TempDir Path tmp;

  /** A guest that answers as a good template would, from the drive the verify machine has. */
  static Optional<String> goodTemplate(FakeHypervisor hypervisor, String command)
      throws Exception {
    Optional<MachineSpec> verify = hypervisor.machines.stream().map(m -> m.spec)
        .filter(s -> s.name().endsWith("-verify")).findFirst();
    if (command.contains("default_user")) {
      return Optional.of("debian");
    }
    if (verify.isEmpty()) {
      return command.equals("cat /etc/machine-id") ? Optional.of(BUILD_MACHINE_ID)
          : Optional.empty();
    }
    JsonNode meta;
    try (IsoReader iso = IsoReader.open(verify.get().cdroms().get(0))) {
      assertThat(iso.volumeId()).isEqualTo("config-2");
      meta = new ObjectMapper().readTree(new String(iso.read(
          "openstack/latest/meta_data.json", 1 << 16), StandardCharsets.UTF_8));
    }
    String[][] answers = {
        {"cloud-init status", "status: done\ndetail:\nDataSourceConfigDrive"},
        {"result.json", "{\"v1\": {\"datasource\": \"DataSourceConfigDrive [net,ver=2]\"}}"},
        {"instance-id", meta.path("uuid").asText()},
        {"machine-id", "fedcba9876543210fedcba9876543210"},
        {"ssh_host_", "keys 3"},
        {"df -B1", Long.toString(PipelineFixture.DISK_SIZE + (1L << 30) - (1 << 20))},
        {"authorized_keys", meta.path("public_keys").path("kiln-verify").asText() + "\n\n0"},
        {"getent passwd", ""},
        {"passwd -S root", "L"},
        {"datasource_list", "datasource_list: [ ConfigDrive, CloudStack, None ]"},
        {"merged_cfg 2>", "growpart ssh|always set-passwords|always scripts-user\n"
            + "ssh_deletekeys=False"},
        {"systemctl --failed", ""},
        {"qemu-guest-agent", "active"},
        {"/sys/firmware/efi", "BIOS"},
        {"curl -fs localhost", "welcome"}};
    for (String[] a : answers) {
      if (command.contains(a[0])) {
        return Optional.of(a[1]);
      }
    }
    return Optional.empty();
  }

  PipelineFixture fixture(Path dir, boolean good) throws Exception {
    PipelineFixture f = new PipelineFixture(dir);
    f.verify = true;
    f.guest.responder = c -> {
      try {
        if (good) {
          return goodTemplate(f.hypervisor, c);
        }
        // a template that ignores the ConfigDrive and keeps the build machine's identity
        return c.contains("default_user") ? Optional.of("debian")
            : c.contains("machine-id") ? Optional.of(BUILD_MACHINE_ID) : Optional.empty();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    return f;
  }

  private static String xpath(Path xml, String expression) throws Exception {
    Process p = new ProcessBuilder("xmllint", "--xpath", expression, xml.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out.strip();
  }

  @Test
  void aGoodTemplatePassesEveryCheckAndTheRecipesTests() throws Exception {
    PipelineFixture f = fixture(tmp, true);
    f.pipeline(f.cloudImageRecipe().addTest(new TemplateTest("web server answers",
        "curl -fs localhost", 0, Optional.of("wel+come"))).build()).run();
    JsonNode verify = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile())
        .path("verify");
    assertThat(verify.path("passed").asBoolean()).as(verify.toString()).isTrue();
    assertThat(verify.path("image").asText()).isEqualTo("fake.qcow2");
    assertThat(verify.path("checks")).hasSize(16);
    Path junit = f.out.resolve("verify-junit.xml");
    assertThat(xpath(junit, "count(//testsuite/testcase)")).isEqualTo("16");
    assertThat(xpath(junit, "count(//testcase/failure)")).isEqualTo("0");
    assertThat(xpath(junit, "string(//testcase[16]/@name)")).isEqualTo(
        "test: web server answers");
    // the verify machine booted an overlay 1 GiB larger than the template, and is gone
    MachineSpec spec = f.hypervisor.machines.stream().map(m -> m.spec)
        .filter(s -> s.name().endsWith("-verify")).findFirst().orElseThrow();
    try (var template = dev.kiln.formats.registry.FormatRegistry.standard()
        .open(f.out.resolve("fake.qcow2"))) {
      assertThat(spec.disks().get(0).minimumSize()).isEqualTo(template.virtualSize()
          + (1L << 30));
    }
    assertThat(f.hypervisor.open()).isEmpty();
  }

  @Test
  void aTemplateThatIgnoresTheConfigDriveFailsVerifyWithItsReasons() throws Exception {
    PipelineFixture f = fixture(tmp, false);
    Throwable t = catchThrowable(() -> f.pipeline(f.cloudImageRecipe().build()).run());
    assertThat(t).isInstanceOf(BuildFailedException.class);
    BuildFailedException e = (BuildFailedException) t;
    assertThat(e.stage()).isEqualTo(Stage.VERIFY);
    assertThat(e.getMessage()).contains("verify checks")
        .contains("datasource: cloud-init did not use the ConfigDrive")
        .contains("machine-id: /etc/machine-id is the build machine's")
        .contains("cloudstack-datasource: cloud-init's data sources do not include CloudStack")
        .doesNotContain("null");
    Path junit = f.out.resolve("verify-junit.xml");
    assertThat(Integer.parseInt(xpath(junit, "count(//testcase/failure)"))).isGreaterThan(5);
    assertThat(xpath(junit, "string(//testcase[@name='machine-id']/failure/@message)"))
        .contains("VMs from it collide");
    JsonNode m = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile());
    assertThat(m.path("verify").path("passed").asBoolean()).isFalse();
    assertThat(f.hypervisor.open()).isEmpty();
    assertThat(Files.list(f.out).map(p -> p.getFileName().toString()).toList())
        .noneMatch(n -> n.endsWith(".partial"));
  }

  @Test
  void aTemplateThatRemakesItsHostKeysEveryBootFailsOnThatCheckAlone() throws Exception {
    // CloudStack's guide runs cloud-init's ssh module every boot; its default ssh_deletekeys
    // then gives the VM new host keys at every reboot
    PipelineFixture f = fixture(tmp, true);
    var good = f.guest.responder;
    f.guest.responder = c -> c.contains("merged_cfg 2>") && !c.contains("default_user")
        ? Optional.of("growpart ssh|always set_passwords|always\nssh_deletekeys=True")
        : good.apply(c);
    Throwable t = catchThrowable(() -> f.pipeline(f.cloudImageRecipe().build()).run());
    assertThat(t).isInstanceOf(BuildFailedException.class);
    assertThat(t.getMessage()).contains("host-keys-kept-on-reboot: cloud-init's ssh module runs "
        + "every boot and deletes the host keys");
    Path junit = f.out.resolve("verify-junit.xml");
    assertThat(xpath(junit, "count(//testcase/failure)")).isEqualTo("1");
    assertThat(xpath(junit, "string(//testcase[failure]/@name)"))
        .isEqualTo("host-keys-kept-on-reboot");
  }

  @Test
  void noVerifyLeavesTheStageOut() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.pipeline(f.cloudImageRecipe().build()).run();
    assertThat(f.hypervisor.machines).noneMatch(m -> m.spec.name().endsWith("-verify"));
    assertThat(f.out.resolve("verify-junit.xml")).doesNotExist();
    assertThat(List.of(f.out.resolve("manifest.json"))).allMatch(Files::exists);
  }
}
