package dev.kiln.core.internal.verify;

import dev.kiln.api.CommunicatorException;
import dev.kiln.api.Firmware;
import dev.kiln.api.GeneralizeOptions.RootPasswordPolicy;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Communicator.ExecResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What a template must show when CloudStack boots it as a new VM with a ConfigDrive, each
 * checked over SSH in the booted template (logged in with the drive's key as the template's
 * default user, which is itself the key-reset check): the data source, the new instance id and
 * machine id, host keys made at this boot, the root filesystem grown to the larger disk, no
 * build user or build key, root's password as the recipe says, CloudStack's data source and
 * every-boot password and key modules configured (the ssh one keeping host keys across
 * reboots), no failed systemd unit, the guest agent running, the firmware the recipe asks for;
 * then the recipe's own tests. The first check waits for cloud-init to finish (SSH answers
 * before its last stage).
 */
public final class TemplateChecks {
  /**
   * cloud-init's merged configuration reduced to what the checks read: one line of every
   * module with its frequency ({@code ssh|always}), one with {@code ssh_deletekeys}. Read with
   * the template's own Python, not as text: the JSON is large and output lines are kept to
   * 2000 characters.
   */
  static final String MODULES = "cloud-init query merged_cfg 2>/dev/null | python3 -c '"
      + "import json, sys\n"
      + "c = json.load(sys.stdin)\n"
      + "m = [x if isinstance(x, str) else \"|\".join(map(str, x)) for k in (\"cloud_init_modules\","
      + " \"cloud_config_modules\", \"cloud_final_modules\") for x in c.get(k) or []]\n"
      + "print(\" \".join(m))\n"
      + "print(\"ssh_deletekeys=%s\" % c.get(\"ssh_deletekeys\", True))'";

  /** One check: a command and what its result must be. */
  record Check(String name, String command, boolean sudo,
      BiFunction<ExecResult, String, Optional<String>> judge) {}

  /** What the checks compare against. */
  public record Expected(String instanceId, String publicKey, String buildUser,
      Optional<String> buildMachineId, long templateVirtualSize, RootPasswordPolicy root,
      Firmware firmware, boolean secureBoot, List<UserTest> userTests) {
    public Expected {
      userTests = List.copyOf(userTests);
    }
  }

  /** A recipe's test: a command, its expected exit code and, optionally, an output pattern. */
  public record UserTest(String name, String command, int exitCode, Optional<String> pattern) {}

  private TemplateChecks() {}

  /** Runs every check; a check that cannot run (the connection breaks) fails with the reason. */
  public static List<VerifyReport.CheckResult> run(Communicator ssh, Expected e)
      throws InterruptedException {
    List<VerifyReport.CheckResult> out = new ArrayList<>();
    for (Check c : checks(e)) {
      Instant start = Instant.now();
      Optional<String> failure;
      String output;
      try {
        ExecResult r = ssh.exec(new ExecRequest(c.command(), Duration.ofMinutes(16), Map.of(),
            c.sudo(), false));
        output = (r.stdoutTail() + r.stderrTail()).strip();
        failure = c.judge().apply(r, output);
      } catch (CommunicatorException ex) {
        output = "";
        failure = Optional.of("could not run: " + ex.getMessage());
      }
      out.add(new VerifyReport.CheckResult(c.name(), failure.isEmpty(), failure.orElse(
          shorten(output)), Duration.between(start, Instant.now())));
    }
    return out;
  }

  static List<Check> checks(Expected e) {
    List<Check> c = new ArrayList<>();
    // SSH answers before cloud-init's last stage: everything after depends on it being done
    c.add(new Check("cloud-init-finished", "timeout 900 cloud-init status --wait >/dev/null "
        + "2>&1; cloud-init status --long", false, (r, o) -> o.contains("status: done")
            ? Optional.empty() : Optional.of("cloud-init did not finish cleanly: "
                + shorten(o))));
    c.add(new Check("datasource", "cat /run/cloud-init/result.json", false, (r, o) ->
        o.contains("DataSourceConfigDrive") ? Optional.empty()
            : Optional.of("cloud-init did not use the ConfigDrive: " + shorten(o))));
    c.add(new Check("instance-id", "cat /var/lib/cloud/data/instance-id", false, (r, o) ->
        o.equals(e.instanceId()) ? Optional.empty() : Optional.of("instance id is " + o
            + ", not the ConfigDrive's " + e.instanceId())));
    c.add(new Check("machine-id", "cat /etc/machine-id", false, (r, o) -> {
      if (!o.matches("[0-9a-f]{32}")) {
        return Optional.of("/etc/machine-id is not a machine id: " + shorten(o));
      }
      return e.buildMachineId().filter(o::equals).map(same ->
          "/etc/machine-id is the build machine's (" + same + "): VMs from it collide");
    }));
    c.add(new Check("host-keys", "boot=$(awk '/^btime/ {print $2}' /proc/stat); n=0; "
        + "for k in /etc/ssh/ssh_host_*_key; do [ -e \"$k\" ] || continue; n=$((n+1)); "
        + "[ \"$(stat -c %Y \"$k\")\" -ge \"$boot\" ] || echo \"old $k\"; done; echo \"keys $n\"",
        true, (r, o) -> o.contains("old ") ? Optional.of("host keys older than this boot "
            + "(shared by every VM from the template): " + o)
            : o.contains("keys 0") ? Optional.of("no SSH host key") : Optional.empty()));
    c.add(new Check("root-filesystem-grown", "df -B1 --output=size / | tail -1", false,
        (r, o) -> {
          long size = o.matches("\\d+") ? Long.parseLong(o) : -1;
          return size > e.templateVirtualSize() ? Optional.empty() : Optional.of("the root "
              + "filesystem (" + size + " bytes) did not grow past the template's disk ("
              + e.templateVirtualSize() + " bytes) into the larger one");
        }));
    c.add(new Check("ssh-key-reset", "cat /root/.ssh/authorized_keys "
        + "/home/*/.ssh/authorized_keys 2>/dev/null; echo; cat /root/.ssh/authorized_keys "
        + "/home/*/.ssh/authorized_keys 2>/dev/null | grep -c 'kiln-build' || true", true,
        (r, o) -> {
          if (!o.contains(e.publicKey().split(" ")[1])) {
            return Optional.of("the ConfigDrive's key is not in authorized_keys");
          }
          String last = o.lines().reduce((a, b) -> b).orElse("");
          return last.equals("0") ? Optional.empty()
              : Optional.of("the build key is still authorized (" + last + " entries)");
        }));
    c.add(new Check("no-build-user", "getent passwd " + e.buildUser() + "; ls -d /home/"
        + e.buildUser() + " 2>/dev/null; grep -rl '^" + e.buildUser() + "[[:space:]]' "
        + "/etc/sudoers /etc/sudoers.d 2>/dev/null; true", true, (r, o) -> o.isEmpty()
            ? Optional.empty() : Optional.of("the build user survived: " + shorten(o))));
    c.add(new Check("root-password", "passwd -S root | awk '{print $2}'", true, (r, o) ->
        switch (e.root()) {
          case LOCK -> o.startsWith("L") ? Optional.empty()
              : Optional.of("root's password is " + o + ", the recipe locks it");
          case EXPIRE -> Optional.empty();
          case KEEP -> Optional.empty();
        }));
    // the configured list, not this boot's: ds-identify narrows the runtime list to the data
    // sources it found (here the ConfigDrive), and the last file setting it wins
    c.add(new Check("cloudstack-datasource", "for f in /etc/cloud/cloud.cfg "
        + "/etc/cloud/cloud.cfg.d/*.cfg; do grep -h '^datasource_list' \"$f\"; done | tail -1 "
        + "| grep . || echo 'datasource_list: cloud-init default, every data source'", true,
        (r, o) -> o.contains("CloudStack") && o.contains("ConfigDrive")
            || o.contains("every data source") ? Optional.empty()
            : Optional.of("cloud-init's data sources do not include CloudStack and ConfigDrive"
                + " (" + shorten(o.replaceAll("\\s+", " ")) + "): passwords, keys and user data"
                + " from CloudStack's virtual router or ConfigDrive are never read")));
    c.add(new Check("password-and-key-every-boot", MODULES, true, (r, o) -> {
          if (!o.contains("ssh_deletekeys=")) {
            return Optional.of("cloud-init's merged configuration could not be read");
          }
          boolean passwords = o.contains("set_passwords|always")
              || o.contains("set-passwords|always");
          boolean ssh = o.contains(" ssh|always") || o.startsWith("ssh|always");
          return passwords && ssh ? Optional.empty() : Optional.of("cloud-init runs "
              + (passwords ? "" : "set_passwords ") + (ssh ? "" : "ssh ")
              + "once per instance: CloudStack's second password or key reset would be ignored");
        }));
    // CloudStack's guide runs the ssh module every boot; without ssh_deletekeys: false that
    // module deletes and remakes the host keys at each boot, and every client then refuses
    // the VM after its first reboot as a possible man in the middle
    c.add(new Check("host-keys-kept-on-reboot", MODULES, true, (r, o) -> {
          if (!o.contains("ssh_deletekeys=")) {
            return Optional.of("cloud-init's merged configuration could not be read");
          }
          boolean everyBoot = o.contains(" ssh|always") || o.startsWith("ssh|always");
          return !everyBoot || o.contains("ssh_deletekeys=False") ? Optional.empty()
              : Optional.of("cloud-init's ssh module runs every boot and deletes the host "
                  + "keys (ssh_deletekeys is not false): each reboot gives the VM new host "
                  + "keys, which SSH clients refuse");
        }));
    c.add(new Check("no-failed-units", "timeout 300 systemctl is-system-running --wait "
        + ">/dev/null 2>&1; systemctl --failed --no-legend --plain | awk '{print $1}'", false,
        (r, o) -> o.isEmpty() ? Optional.empty()
            : Optional.of("failed units: " + String.join(" ", o.lines().toList()))));
    c.add(new Check("guest-agent", "systemctl is-active qemu-guest-agent", false, (r, o) ->
        o.equals("active") ? Optional.empty() : Optional.of("qemu-guest-agent is " + o)));
    c.add(new Check("firmware", "if [ -d /sys/firmware/efi ]; then echo UEFI; "
        + "od -An -t u1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-"
        + "00e098032b8c 2>/dev/null | awk '{print \"secureboot=\" $NF}'; else echo BIOS; fi",
        false, (r, o) -> {
          boolean uefi = o.startsWith("UEFI");
          if (uefi != (e.firmware() == Firmware.UEFI)) {
            return Optional.of("booted with " + (uefi ? "UEFI" : "BIOS") + ", the recipe "
                + "says " + e.firmware());
          }
          boolean sb = o.contains("secureboot=1");
          return uefi && sb != e.secureBoot() ? Optional.of("Secure Boot is " + (sb ? "on"
              : "off") + ", the recipe says " + (e.secureBoot() ? "on" : "off"))
              : Optional.empty();
        }));
    for (UserTest t : e.userTests()) {
      c.add(new Check("test: " + t.name(), t.command(), false, (r, o) -> {
        if (r.exitCode() != t.exitCode()) {
          return Optional.of("exit code " + r.exitCode() + ", expected " + t.exitCode()
              + ": " + shorten(o));
        }
        return t.pattern().filter(p -> !java.util.regex.Pattern.compile(p).matcher(o).find())
            .map(p -> "output does not match /" + p + "/: " + shorten(o));
      }));
    }
    return c;
  }

  static String shorten(String s) {
    String t = s.strip();
    return t.length() <= 600 ? t : t.substring(0, 300) + " … " + t.substring(t.length() - 280);
  }
}
