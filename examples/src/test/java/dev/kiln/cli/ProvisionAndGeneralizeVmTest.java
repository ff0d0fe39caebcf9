package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.api.GeneralizeOptions;
import dev.kiln.api.OsSelection;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.Recipe;
import dev.kiln.api.Secret;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.internal.provision.Generalizer;
import dev.kiln.core.internal.provision.GuestScriptRunner;
import dev.kiln.core.internal.provision.Provisioner;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.core.internal.ssh.SshCommunicator;
import dev.kiln.core.internal.ssh.SshEndpoint;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.kvm.Fixtures;
import dev.kiln.kvm.KvmHypervisor;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.Catalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Provisioning and generalizing for real, on the Debian fixture under TCG: SSH with the
 * build key (and a password user with a password-protected sudo rule), a shell step, a reboot
 * step, a package installed through apt-cacher-ng on the host's loopback reached by an SSH
 * remote forward, the CloudStack integration and hypervisor tools from the catalog's guest
 * scripts, then generalization ending in power-off. The disk is then booted again as a
 * CloudStack VM would be (new instance-id, a new key) and must come up as a new machine.
 */
@Tag("vm")
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ProvisionAndGeneralizeVmTest {
  /** Where the template built once for the class lives (QEMU must reach it). */
  static Path shared;
  static Built built;
  Path dir;
  Path root;

  @org.junit.jupiter.api.BeforeAll
  static void sharedDir() throws Exception {
    shared = Fixtures.reachableTempDir("kiln-prov-shared-");
  }

  @org.junit.jupiter.api.AfterAll
  static void removeShared() throws Exception {
    new ProcessBuilder("rm", "-rf", shared.toString()).start().waitFor();
    built = null;
  }

  @BeforeEach
  void dirs() throws Exception {
    dir = Fixtures.reachableTempDir("kiln-prov-");
    root = Fixtures.reachableTempDir("kiln-prov-root-");
  }

  @AfterEach
  void cleanup() throws Exception {
    new ProcessBuilder("rm", "-rf", dir.toString(), root.toString()).start().waitFor();
  }

  static Path seed(Path dir, String name, String instanceId, String userData) throws Exception {
    Path iso = dir.resolve(name);
    IsoImageWriter.builder("CIDATA")
        .addFile("user-data", userData.getBytes(StandardCharsets.UTF_8))
        .addFile("meta-data", ("instance-id: " + instanceId + "\nlocal-hostname: "
            + instanceId + "\n").getBytes(StandardCharsets.UTF_8))
        .writeTo(iso);
    return iso;
  }

  static String sh(SshCommunicator ssh, String command) throws Exception {
    var r = ssh.exec(new ExecRequest(command, Duration.ofMinutes(5), Map.of(), true, false));
    assertThat(r.exitCode()).as(command + ":\n" + r.stdoutTail() + r.stderrTail()).isZero();
    return r.stdoutTail().strip();
  }

  /** The template this class builds once, with what its build machine was. */
  record Built(Path disk, String machineId, String hostKey, BuildKey buildKey) {}

  /** Builds the template on first use; the tests of this class boot it as new VMs. */
  private Built template() throws Exception {
    if (built == null) {
      built = build();
    }
    return built;
  }

  private Built build() throws Exception {
    Path base = Fixtures.debian12();
    BuildKey buildKey = BuildKey.generate("kiln-build-b-prov");
    String opsHash = dev.kiln.api.Secret.of("0ps-Passw0rd").sha512Crypt();
    Path seed1 = seed(dir, "seed1.iso", "i-kiln-build", String.join("\n", "#cloud-config",
        "ssh_pwauth: true", "users:",
        "  - name: kiln", "    shell: /bin/bash", "    sudo: ALL=(ALL) NOPASSWD:ALL",
        "    ssh_authorized_keys: [\"" + buildKey.publicKey() + "\"]",
        "  - name: ops", "    shell: /bin/bash", "    lock_passwd: false",
        "    passwd: \"" + opsHash + "\"", "    sudo: ALL=(ALL) ALL", ""));
    Recipe recipe = Recipe.builder(new OsSelection("debian", "12"),
            DebianInstallerVmTest.AnswersCommandIso.source())
        .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE))
        .addProvisionStep(new ProvisionStep.Shell(Optional.of(
            "echo provisioned > /etc/kiln-provisioned"), Optional.empty(),
            Duration.ofMinutes(2)))
        .addProvisionStep(new ProvisionStep.Reboot(Duration.ofMinutes(8)))
        .addProvisionStep(new ProvisionStep.Packages(List.of("jq"), false))
        .build();
    OsProfile debian = Catalog.builtIn().profile("debian").orElseThrow();
    List<KilnEvent> events = new CopyOnWriteArrayList<>();
    EventHandlers handlers = EventHandlers.builder().addAll(events::add).build();
    String name = "kiln-vmtest-prov-" + Long.toHexString(System.nanoTime() & 0xffffff);
    MachineSpec spec = MachineSpec.builder(name).cpus(2).memoryMiB(1536)
        .accelerator(Accelerator.TCG).addDisk(MachineSpec.Disk.overlayOn(base, "raw"))
        .addCdrom(seed1).forwardGuestPort(22).label("build", "b-prov").build();
    String machineIdBefore;
    String hostKeyBefore;
    Path template = shared.resolve("template.qcow2");
    try (KvmHypervisor kvm = KvmHypervisor.builder().workRoot(root).build();
        Machine machine = kvm.create(spec, handlers);
        AptCache cache = AptCache.start()) {
      machine.start();
      int port = machine.forwardedPort(22).orElseThrow().getPort();
      try (SshCommunicator ssh = SshCommunicator.connect(new SshEndpoint("127.0.0.1", port,
          "kiln", buildKey), Duration.ofMinutes(10), Optional.of(machine), handlers,
          "b-prov")) {
        sh(ssh, "cloud-init status --wait >/dev/null; true");
        machineIdBefore = sh(ssh, "cat /etc/machine-id");
        hostKeyBefore = sh(ssh, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");

        // password login as the fallback, and sudo that asks for the password
        try (SshCommunicator ops = SshCommunicator.connect(new SshEndpoint("127.0.0.1", port,
            "ops", BuildKey.generate("not-authorized"), Optional.of(Secret.of("0ps-Passw0rd")),
            Optional.of(Secret.of("0ps-Passw0rd"))), Duration.ofMinutes(2),
            Optional.of(machine), handlers, "b-prov")) {
          assertThat(sh(ops, "id -u")).isEqualTo("0");
        }

        ssh.forwardRemote(3142, cache.port);
        new Provisioner(ssh, debian.family(), Map.of("http_proxy",
            "http://127.0.0.1:3142")).run(recipe.provisioning());
        assertThat(sh(ssh, "cat /etc/kiln-provisioned")).isEqualTo("provisioned");
        assertThat(sh(ssh, "jq --version")).startsWith("jq-");
        assertThat(sh(ssh, "cat /proc/sys/kernel/random/boot_id")).isNotEmpty();

        for (String purpose : List.of("cloudstack-integration", "hypervisor-tools")) {
          GuestScriptRunner.run(ssh, purpose + ".sh", debian.guestScript(purpose, recipe)
              .orElseThrow(), Map.of("http_proxy", "http://127.0.0.1:3142"), "",
              Duration.ofMinutes(20));
        }
        assertThat(sh(ssh, "cat /etc/cloud/cloud.cfg.d/80-kiln-cloudstack.cfg"))
            .contains("datasource_list: [ ConfigDrive, CloudStack, None ]");
        assertThat(sh(ssh, "grep -E 'set[-_]passwords|- \\[ssh' /etc/cloud/cloud.cfg"))
            .contains("[ssh, always]").containsPattern("\\[set[-_]passwords, always\\]");

        List<String> survivors = Generalizer.generalizeAndPowerOff(ssh, debian.guestScript(
            "generalize", recipe).orElseThrow(), GeneralizeOptions.DEFAULTS, "kiln",
            buildKey.publicKey(), handlers, "b-prov");
        // the build user (here "kiln") is gone; the config drive below creates it anew
        assertThat(survivors).noneMatch(s -> s.startsWith("machine-id")
            || s.startsWith("build user") || s.startsWith("home of the build user")
            || s.startsWith("sudo rule")
            || s.startsWith("ssh host key") || s.startsWith("build key")
            || s.startsWith("dhcp lease") || s.startsWith("cloud-init instance"));
      }
      assertThat(machine.awaitPowerOff(Duration.ofMinutes(3))).as(machine.diagnostics())
          .isTrue();
      ((dev.kiln.kvm.internal.KvmMachine) machine).fetchDisk(0, template);
    }

    return new Built(template, machineIdBefore, hostKeyBefore, buildKey);
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void provisionGeneralizeAndBootAsANewMachine() throws Exception {
    Built b = template();
    Path template = b.disk();
    String machineIdBefore = b.machineId();
    String hostKeyBefore = b.hostKey();
    BuildKey buildKey = b.buildKey();
    String name = "kiln-vmtest-prov-" + Long.toHexString(System.nanoTime() & 0xffffff);
    List<KilnEvent> events = new CopyOnWriteArrayList<>();
    EventHandlers handlers = EventHandlers.builder().addAll(events::add).build();

    // the template boots as CloudStack boots it in a config-drive zone: a new instance id,
    // hostname and key on a "config-2" drive (openstack/latest layout)
    deploy(template, name + "-2", handlers, (ssh, cache) -> {
      String machineId = sh(ssh, "cat /etc/machine-id");
      assertThat(machineId).matches("[0-9a-f]{32}").isNotEqualTo(machineIdBefore);
      assertThat(sh(ssh, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"))
          .isNotEqualTo(hostKeyBefore);
      assertThat(sh(ssh, "cat /var/lib/cloud/data/instance-id")).isEqualTo("i-kiln-deployed");
      assertThat(sh(ssh, "cloud-init status")).contains("status: done");
      // every lease file was written in this boot
      assertThat(sh(ssh, "boot=$(date -d \"$(uptime -s)\" +%s); for f in /var/lib/dhcp/*"
          + ".leases; do [ -e \"$f\" ] || continue; [ $(stat -c %Y \"$f\") -ge $((boot - 5))"
          + " ] || echo OLD $f; done; echo checked")).isEqualTo("checked");
      assertThat(sh(ssh, "cat /home/kiln/.ssh/authorized_keys"))
          .doesNotContain(buildKey.publicKey());
      assertThat(sh(ssh, "cat /etc/kiln-provisioned")).isEqualTo("provisioned");
      assertThat(sh(ssh, "passwd -S root | cut -d' ' -f2")).isIn("L", "LK");
      // a reboot keeps the VM's identity: the reconnect is pinned to this boot's host key
      // (cloud-init's every-boot ssh module would otherwise make new ones)
      TemplateFromOutside.assertRebootKeepsIdentity(ssh);
    });
  }

  /**
   * Slow (a kernel install under TCG took 10+ minutes here): the template can be patched —
   * its sources reach the security suite through a loopback mirror proxy, the suite's kernel
   * installs and after a reboot is the one running, with the same host keys.
   */
  @Test
  @Tag("slow")
  @org.junit.jupiter.api.Order(2)
  void theTemplateTakesTheSecuritySuitesKernelAndBootsIt() throws Exception {
    deploy(template().disk(), "kiln-vmtest-prov-k" + Long.toHexString(System.nanoTime()
        & 0xfffff), EventHandlers.NONE, (ssh, cache) ->
            TemplateFromOutside.assertSecurityUpdateIsBooted(ssh, cache.port));
  }

  /** What a test does in the deployed VM (a package proxy reachable at {@code cache}). */
  interface InDeployedVm {
    void run(SshCommunicator ssh, AptCache cache) throws Exception;
  }

  /** Boots {@code template} (an overlay) with a CloudStack ConfigDrive, as user kiln. */
  private void deploy(Path template, String name, EventHandlers handlers, InDeployedVm then)
      throws Exception {
    BuildKey deployKey = BuildKey.generate("cloudstack-user");
    Path seed2 = dir.resolve(name + "-configdrive.iso");
    IsoImageWriter.builder("config-2")
        .addFile("openstack/latest/meta_data.json", ("{\"uuid\": \"i-kiln-deployed\", "
            + "\"hostname\": \"deployed\", \"availability_zone\": \"zone1\", "
            + "\"public_keys\": {\"kiln\": \"" + deployKey.publicKey() + "\"}}")
            .getBytes(StandardCharsets.UTF_8))
        .addFile("openstack/latest/user_data", String.join("\n", "#cloud-config", "users:",
            "  - name: kiln", "    sudo: ALL=(ALL) NOPASSWD:ALL",
            "    ssh_authorized_keys: [\"" + deployKey.publicKey() + "\"]", "")
            .getBytes(StandardCharsets.UTF_8))
        .writeTo(seed2);
    MachineSpec spec2 = MachineSpec.builder(name).cpus(2).memoryMiB(1024)
        .accelerator(Accelerator.TCG).addDisk(MachineSpec.Disk.overlayOn(template, "qcow2"))
        .addCdrom(seed2).forwardGuestPort(22).label("build", "b-prov").build();
    try (KvmHypervisor kvm = KvmHypervisor.builder().workRoot(root).build();
        Machine machine = kvm.create(spec2, handlers);
        AptCache cache = AptCache.start()) {
      machine.start();
      int port = machine.forwardedPort(22).orElseThrow().getPort();
      try (SshCommunicator ssh = SshCommunicator.connect(new SshEndpoint("127.0.0.1", port,
          "kiln", deployKey), Duration.ofMinutes(10), Optional.of(machine), handlers,
          "b-prov")) {
        sh(ssh, "cloud-init status --wait >/dev/null; true");
        assertThat(sh(ssh, "cat /home/kiln/.ssh/authorized_keys"))
            .contains(deployKey.publicKey());
        then.run(ssh, cache);
      }
      machine.shutdown(Duration.ofMinutes(3));
    }
  }
}
