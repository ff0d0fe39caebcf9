package dev.kiln.templates.internal;

import dev.kiln.api.Partitioning;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An Anaconda kickstart ({@code ks.cfg} on an OEMDRV seed) in the command syntax of the target
 * release (RHEL8/9/10, F42/F43: only commands and options every one of them documents). Text
 * install from the DVD, one XFS root without swap ({@code reqpart} adds what BIOS or UEFI
 * needs) or root on LVM, users with crypted passwords and SSH keys, sudo rules in
 * {@code %post}, registration through {@code rhsm} on RHEL, and {@code poweroff} at the end.
 * Values are quoted as pykickstart's shlex splitting reads them.
 */
public final class KickstartRenderer {
  private KickstartRenderer() {}

  /**
   * @param syntax the kickstart version, e.g. {@code RHEL9} (recorded in the header)
   * @param rhsm whether to register with Red Hat (RHEL)
   */
  public static Map<String, byte[]> render(AnswerValues a, String syntax, String osName,
      boolean rhsm) {
    List<String> l = new ArrayList<>();
    l.add("# Kiln kickstart for " + osName + " (syntax " + syntax + ")");
    l.add("text");
    l.add("cdrom");
    l.add("lang " + q(a.installerLocale()));
    l.add("keyboard --vckeymap=" + q(a.keyboard()) + " --xlayouts=" + q(a.keyboard()));
    l.add("timezone " + q(a.timezone()) + " --utc");
    l.add("network --bootproto=dhcp --device=link --activate --onboot=on "
        + "--hostname=localhost.localdomain");
    l.add("firewall --enabled --service=ssh");
    l.add("selinux --enforcing");
    l.add("firstboot --disable");
    l.add("skipx");
    l.add("services --enabled=sshd");
    l.add(a.rootPasswordHash().map(h -> "rootpw --iscrypted " + q(h)).orElse("rootpw --lock"));
    for (AnswerValues.User u : a.users()) {
      StringBuilder user = new StringBuilder("user --name=").append(q(u.name()));
      if (!u.groups().isEmpty()) {
        user.append(" --groups=").append(q(String.join(",", u.groups())));
      }
      u.passwordHash().ifPresent(h -> user.append(" --iscrypted --password=").append(q(h)));
      l.add(user.toString());
      for (String key : u.sshKeys()) {
        l.add("sshkey --username=" + q(u.name()) + " " + q(key));
      }
    }
    a.registration().filter(r -> rhsm).ifPresent(r -> l.add("rhsm --organization="
        + q(r.organization().orElse("")) + " --activation-key=" + q(r.key())));
    l.add("ignoredisk --only-use=vda");
    l.add("zerombr");
    l.add("clearpart --all --initlabel --disklabel=gpt");
    l.add("reqpart");
    if (a.partitioning() == Partitioning.LVM) {
      l.add("part pv.01 --size=1 --grow");
      l.add("volgroup vg0 pv.01");
      l.add("logvol / --vgname=vg0 --name=root --fstype=xfs --size=1 --grow");
    } else {
      l.add("part / --fstype=xfs --size=1 --grow");
    }
    l.add("bootloader --location=mbr --append=" + q("console=tty0 console=ttyS0,115200n8"));
    l.add("poweroff");
    l.add("");
    l.add("%packages");
    l.add("@^minimal-environment");
    l.add("openssh-server");
    l.add("sudo");
    a.packages().forEach(l::add);
    l.add("%end");
    l.add("");
    l.add("%post --erroronfail --log=/root/kiln-ks-post.log");
    for (AnswerValues.User u : a.sudoers()) {
      String file = "/etc/sudoers.d/90-kiln-" + u.name();
      l.add("printf '%s\\n' " + Shell.quote(u.name() + " ALL=(ALL) NOPASSWD:ALL") + " > "
          + Shell.quote(file));
      l.add("chmod 440 " + Shell.quote(file));
    }
    l.add("true");
    l.add("%end");
    return Map.of("ks.cfg", (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A value as one kickstart word: bare when it is plain, else double-quoted with {@code \}
   * and {@code "} escaped (shlex in POSIX mode, which pykickstart uses).
   */
  static String q(String value) {
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("kickstart values are one line");
    }
    if (value.matches("[A-Za-z0-9@%+=:,./_^$-]+") && !value.isEmpty() && !value.startsWith("#")
        && !value.contains("$")) {
      return value;
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
