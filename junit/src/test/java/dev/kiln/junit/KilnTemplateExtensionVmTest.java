package dev.kiln.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kiln.api.Firmware;
import dev.kiln.api.GeneralizeOptions;
import dev.kiln.core.internal.verify.TemplateChecks;
import dev.kiln.core.internal.verify.VerifyReport;
import dev.kiln.kvm.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@code @KilnTemplate} as a user's test class meets it, run by the JUnit Platform launcher
 * (not by this test's own engine run), on the Debian fixture under TCG: the booted template
 * came up as a new VM from the ConfigDrive (instance id, grown root filesystem, the injected key,
 * sudo), a failing test's report carries the console's last lines, and after the class ends —
 * with a failed test in it — no libvirt domain and no scratch directory of it is left.
 */
@Tag("vm")
class KilnTemplateExtensionVmTest {
  /** The Debian base Kiln's debootstrap source builds (cached between runs). */
  public static final class DebianFixture implements Supplier<Path> {
    @Override
    public Path get() {
      try {
        return Fixtures.debian12();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A user's test class; one of its tests fails on purpose. */
  @KilnTemplate(source = DebianFixture.class, accelerator = "auto", bootMinutes = 20)
  static class UsersTemplateTests {
    @Test
    void bootsAsANewInstanceWithTheDrivesKey(TemplateMachine vm) throws Exception {
      assertThat(vm.sh("cat /var/lib/cloud/data/instance-id")).isEqualTo(vm.instanceId());
      assertThat(vm.sh("cat ~/.ssh/authorized_keys")).contains(vm.publicKey().split(" ")[1]);
      assertThat(vm.sh("sudo -n id -u")).isEqualTo("0");
      assertThat(vm.sshAddress().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void theRootFilesystemGrewIntoTheLargerDisk(TemplateMachine vm) throws Exception {
      long template = Files.size(new DebianFixture().get());
      assertThat(Long.parseLong(vm.sh("df -B1 --output=size / | tail -1")))
          .isGreaterThan(template);
    }

    /**
     * Kiln's verify checks on a real template with the defect behind "password reset works
     * once, then silently stops": the bare Debian base has no CloudStack integration, so
     * cloud-init's password and key modules run once per instance. That check fails with its
     * reason; the checks of what the base does right pass.
     */
    @Test
    void verifyChecksFailATemplateWhosePasswordResetWorksOnlyOnce(TemplateMachine vm)
        throws Exception {
      List<VerifyReport.CheckResult> results = TemplateChecks.run(vm.ssh(),
          new TemplateChecks.Expected(vm.instanceId(), vm.publicKey(), "kiln-build",
              Optional.empty(), Files.size(new DebianFixture().get()),
              GeneralizeOptions.RootPasswordPolicy.KEEP, Firmware.BIOS, false, List.of()));
      Map<String, VerifyReport.CheckResult> byName = new java.util.HashMap<>();
      results.forEach(r -> byName.put(r.name(), r));
      assertThat(byName.get("password-and-key-every-boot").passed()).isFalse();
      assertThat(byName.get("password-and-key-every-boot").detail()).contains(
          "second password or key reset would be ignored");
      for (String ok : List.of("datasource", "instance-id", "machine-id", "host-keys",
          "root-filesystem-grown", "ssh-key-reset", "no-build-user", "guest-agent",
          "firmware", "host-keys-kept-on-reboot")) {
        assertThat(byName.get(ok).passed()).as(ok + ": " + byName.get(ok).detail()).isTrue();
      }
    }

    @Test
    void failsOnPurpose(TemplateMachine vm) throws Exception {
      assertThat(vm.sh("echo hello")).isEqualTo("goodbye");
    }
  }

  private static List<String> leftovers() throws Exception {
    List<String> out = new java.util.ArrayList<>(List.of(Fixtures.run(List.of("virsh", "-c",
        "qemu:///system", "list", "--all", "--name"), 30).output().split("\n")));
    out.removeIf(n -> !n.startsWith("kiln-junit-"));
    try (Stream<Path> s = Files.list(Path.of("/var/tmp"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("kiln-junit-"))
          .forEach(out::add);
    }
    return out;
  }

  @Test
  void aUsersTestClassGetsTheBootedTemplateAndLeavesNothingBehind() throws Exception {
    List<String> before = leftovers();
    Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(UsersTemplateTests.class)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            boolean userClass = id.getSource().filter(ClassSource.class::isInstance)
                .map(src -> ((ClassSource) src).getJavaClass() == UsersTemplateTests.class)
                .orElse(false);
            results.put(userClass ? "UsersTemplateTests" : id.getDisplayName(), result);
          }
        });
    TestExecutionResult cls = results.get("UsersTemplateTests");
    assertThat(cls).as("the class's own result (boot, cleanup) among " + results.keySet())
        .isNotNull();
    assertThat(cls.getStatus()).as(cls.getThrowable().map(Throwable::toString).orElse(""))
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(results.get("bootsAsANewInstanceWithTheDrivesKey(TemplateMachine)")
        .getStatus()).as(String.valueOf(results)).isEqualTo(
            TestExecutionResult.Status.SUCCESSFUL);
    assertThat(results.get("theRootFilesystemGrewIntoTheLargerDisk(TemplateMachine)")
        .getStatus()).as(String.valueOf(results)).isEqualTo(
            TestExecutionResult.Status.SUCCESSFUL);
    TestExecutionResult planted = results.get(
        "verifyChecksFailATemplateWhosePasswordResetWorksOnlyOnce(TemplateMachine)");
    assertThat(planted.getStatus()).as(planted.getThrowable().map(Throwable::toString)
        .orElse("")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    Throwable failure = results.get("failsOnPurpose(TemplateMachine)").getThrowable()
        .orElseThrow();
    assertThat(failure).hasMessageContaining("goodbye");
    assertThat(failure.getSuppressed()).singleElement().satisfies(s ->
        assertThat(s.getMessage()).startsWith("console of kiln-junit-").contains("cloud-init"));
    assertThat(leftovers()).isEqualTo(before);
  }
}
