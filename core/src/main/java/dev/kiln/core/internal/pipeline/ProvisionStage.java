package dev.kiln.core.internal.pipeline;

import dev.kiln.api.GuestIntegration;
import dev.kiln.api.ProvisionStep;
import dev.kiln.core.internal.provision.GuestScriptRunner;
import dev.kiln.core.internal.provision.Provisioner;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.OsProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Provision: the recipe's steps, then the CloudStack integration and the target hypervisor's
 * tools (the OS profile's scripts), then the security assessment (updates applied or
 * recorded, by the recipe's policy), then the recipe's OpenSCAP hardening scan, then the
 * installed package list (kept in the build
 * directory and the manifest).
 */
final class ProvisionStage {
  /** Every provisioning command reaches packages through the proxy the connection carries. */
  static final Map<String, String> ENVIRONMENT = Map.of("http_proxy", "http://127.0.0.1:"
      + ConnectStage.GUEST_PROXY_PORT);

  private final BuildContext ctx;

  ProvisionStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  ProvisionedGuest provision(GuestSession session, StepPlan plan) throws Exception {
    OsProfile profile = ctx.settings.profile();
    Communicator guest = session.guest();
    Provisioner provisioner = new Provisioner(guest, profile.family(), ENVIRONMENT);
    List<ProvisionStep> steps = ctx.recipe.provisioning();
    for (int n = plan.reused() + 1; n <= steps.size(); n++) {
      provisioner.run(n, steps.get(n - 1));
      if (plan.keepsAfter(n)) {
        keepLayer(session, plan, n, steps.get(n - 1));
      }
    }
    if (ctx.recipe.guestIntegration() != GuestIntegration.NONE) {
      for (String purpose : List.of("cloudstack-integration", "hypervisor-tools")) {
        Optional<String> script = profile.guestScript(purpose, ctx.recipe);
        if (script.isPresent()) {
          GuestScriptRunner.run(guest, purpose + ".sh", script.get(), ENVIRONMENT, "",
              Duration.ofMinutes(30));
        }
      }
    }
    // after every install, before the inventory (which then lists the versions applied)
    ctx.security = SecurityAssessment.run(ctx, guest).orElse(null);
    // on the updated system, and before the inventory, which then shows the scanner removed
    ctx.hardening = OpenScapScan.run(ctx, guest).orElse(null);
    // one query of the package database: the SBOM's records, and the manifest's list from them
    List<PackageRecord> inventory = inventory(guest);
    List<String> packages = inventory.stream().map(p -> p.name() + " " + p.version()).toList();
    Files.write(ctx.buildDirectory().resolve("packages.txt"), packages, StandardCharsets.UTF_8);
    ctx.inventory = inventory;
    recordIdentity(guest);
    return new ProvisionedGuest(session, packages);
  }

  /**
   * The disk after step {@code n} goes to the step cache: the guest's writes reach the disk
   * ({@code sync}), the machine freezes it into a layer and writes on in a new one, and the
   * cache copies the frozen layer. A later boot from it is like one after a power cut at this
   * moment, with every file written so far on disk.
   */
  private void keepLayer(GuestSession session, StepPlan plan, int n, ProvisionStep step)
      throws Exception {
    var sync = session.guest().exec(ExecRequest.of("sync", Duration.ofMinutes(5)));
    if (!sync.succeeded()) {
      return;
    }
    try {
      Optional<Path> frozen = session.machine().machine().freezeDisk(0);
      if (frozen.isPresent()) {
        plan.store(ctx, n, step, frozen.get(), session.key());
      }
    } catch (dev.kiln.api.MachineException | java.io.IOException e) {
      // the cache is a speed-up: the build goes on as one without it (a failed freeze leaves
      // the machine writing where it did, libvirt's snapshot being atomic)
      plan.stopKeeping();
      ctx.events.warning("step-cache.not-kept", "the disk after provisioning step " + n
          + " was not kept in the step cache, nor will later steps be: " + e.getMessage());
    }
  }

  /**
   * The package database in detail, for the SBOM: kind, name, version, architecture, source
   * package and version, licence (RPM has one; dpkg's database does not). The whole list
   * travels by SFTP: command output keeps only a tail.
   */
  private List<PackageRecord> inventory(Communicator guest) throws Exception {
    var r = guest.exec(ExecRequest.of("(dpkg-query -W -f='deb\\t${Package}\\t${Version}"
        + "\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t\\n' || rpm -qa "
        + "--qf 'rpm\\t%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t\\t"
        + "%{LICENSE}\\n') 2>/dev/null | sort > /tmp/kiln-inventory.tsv", Duration.ofMinutes(2)));
    if (!r.succeeded()) {
      return List.of();
    }
    Path tsv = ctx.scratch("inventory.tsv");
    guest.download("/tmp/kiln-inventory.tsv", tsv);
    return PackageRecord.parse(Files.readAllLines(tsv, StandardCharsets.UTF_8));
  }

  /**
   * What the verify boot compares against: this machine's id (a template's VMs must get new
   * ones) and the user cloud-init gives the instance's SSH key (its {@code default_user}).
   */
  private void recordIdentity(Communicator guest) throws Exception {
    var id = guest.exec(ExecRequest.of("cat /etc/machine-id", Duration.ofSeconds(30)));
    String machineId = id.stdoutTail().strip();
    if (id.succeeded() && machineId.matches("[0-9a-f]{32}")) {
      ctx.buildMachineId = Optional.of(machineId);
    }
    var user = guest.exec(new ExecRequest("cloud-init query "
        + "merged_cfg.system_info.default_user.name 2>/dev/null || python3 -c 'import yaml; "
        + "print(yaml.safe_load(open(\"/etc/cloud/cloud.cfg\"))[\"system_info\"]"
        + "[\"default_user\"][\"name\"])'", Duration.ofMinutes(1), Map.of(), true, false));
    String name = user.stdoutTail().strip();
    if (user.succeeded() && name.matches("[a-z_][a-z0-9_-]{0,31}")) {
      ctx.defaultUser = Optional.of(name);
    }
  }
}
