package dev.kiln.templates.internal;

import dev.kiln.api.Firmware;
import dev.kiln.api.Partitioning;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A debian-installer preseed, appended to the initrd as {@code /preseed.cfg} (read before the
 * first question). One root filesystem without swap (an expert recipe; {@code atomic} would add
 * swap) or root on LVM; users, keys and sudo through a late command that runs
 * {@link UserSetupScript} base64-encoded, so no recipe value ever appears in a preseed line
 * unquoted; the install ends in power-off.
 */
public final class PreseedRenderer {
  /** What d-i writes to the serial console once it has read Kiln's preseed. */
  public static final String LOADED_MARKER = "kiln:debian-installer-read-the-preseed";

  private PreseedRenderer() {}

  public static Map<String, byte[]> render(AnswerValues a, String mirrorHost,
      String mirrorDirectory) {
    List<String> l = new ArrayList<>();
    l.add("# Kiln preseed for debian-installer (appended to the initrd as /preseed.cfg)");
    // a line on the serial console when d-i has read this file: the build log (and Kiln's
    // failure classifier) can tell "answers not found" from a later failure
    d(l, "preseed/early_command", "string", "echo " + LOADED_MARKER + " > /dev/ttyS0 || true");
    d(l, "debian-installer/locale", "string", a.installerLocale());
    d(l, "keyboard-configuration/xkb-keymap", "select", a.keyboard());
    d(l, "netcfg/choose_interface", "select", "auto");
    d(l, "netcfg/get_hostname", "string", "localhost");
    d(l, "netcfg/get_domain", "string", "localdomain");
    d(l, "netcfg/hostname", "string", "localhost");
    d(l, "mirror/country", "string", "manual");
    d(l, "mirror/http/hostname", "string", mirrorHost);
    d(l, "mirror/http/directory", "string", mirrorDirectory);
    d(l, "mirror/http/proxy", "string", "");
    // root gets the recipe's hash, or "!" (locked); users come from the late command
    d(l, "passwd/root-login", "boolean", "true");
    d(l, "passwd/root-password-crypted", "password", a.rootPasswordHash().orElse("!"));
    d(l, "passwd/make-user", "boolean", "false");
    d(l, "clock-setup/utc", "boolean", "true");
    d(l, "time/zone", "string", a.timezone());
    d(l, "clock-setup/ntp", "boolean", "false");
    boolean lvm = a.partitioning() == Partitioning.LVM;
    boolean uefi = a.firmware() == Firmware.UEFI;
    d(l, "partman-auto/disk", "string", "/dev/vda");
    d(l, "partman-auto/method", "string", lvm ? "lvm" : "regular");
    if (lvm) {
      d(l, "partman-lvm/device_remove_lvm", "boolean", "true");
      d(l, "partman-lvm/confirm", "boolean", "true");
      d(l, "partman-lvm/confirm_nooverwrite", "boolean", "true");
      d(l, "partman-auto-lvm/guided_size", "string", "max");
      d(l, "partman-auto-lvm/new_vg_name", "string", "vg0");
    }
    d(l, "partman-md/device_remove_md", "boolean", "true");
    if (uefi) {
      d(l, "partman-efi/non_efi_system", "boolean", "true");
      d(l, "partman-partitioning/choose_label", "select", "gpt");
      d(l, "partman-partitioning/default_label", "string", "gpt");
    }
    StringBuilder recipe = new StringBuilder("kiln-root ::");
    if (uefi) {
      recipe.append(" 538 538 1075 free $iflabel{ gpt } $reusemethod{ } method{ efi }"
          + " format{ } .");
    }
    if (lvm) {
      recipe.append(" 1000 10000 -1 ext4 $lvmok{ } lv_name{ root } method{ format } format{ }"
          + " use_filesystem{ } filesystem{ ext4 } mountpoint{ / } .");
    } else {
      recipe.append(" 1000 10000 -1 ext4 $primary{ } $bootable{ } method{ format } format{ }"
          + " use_filesystem{ } filesystem{ ext4 } mountpoint{ / } .");
    }
    d(l, "partman-auto/expert_recipe", "string", recipe.toString());
    d(l, "partman-auto/choose_recipe", "select", "kiln-root");
    d(l, "partman-basicfilesystems/no_swap", "boolean", "false");
    d(l, "partman-partitioning/confirm_write_new_label", "boolean", "true");
    d(l, "partman/choose_partition", "select", "finish");
    d(l, "partman/confirm", "boolean", "true");
    d(l, "partman/confirm_nooverwrite", "boolean", "true");
    d(l, "apt-setup/non-free-firmware", "boolean", "true");
    d(l, "apt-setup/cdrom/set-first", "boolean", "false");
    l.add("tasksel tasksel/first multiselect ssh-server");
    List<String> packages = new ArrayList<>(List.of("sudo", "openssh-server"));
    packages.addAll(a.packages());
    d(l, "pkgsel/include", "string", String.join(" ", packages));
    d(l, "pkgsel/upgrade", "select", "none");
    l.add("popularity-contest popularity-contest/participate boolean false");
    d(l, "grub-installer/only_debian", "boolean", "true");
    d(l, "grub-installer/bootdev", "string", "default");
    d(l, "debian-installer/add-kernel-opts", "string", "console=tty0 console=ttyS0,115200n8");
    String script = Base64.getEncoder().encodeToString(UserSetupScript.render(a)
        .getBytes(StandardCharsets.UTF_8));
    d(l, "preseed/late_command", "string", "in-target sh -c 'echo " + script
        + " | base64 -d > /root/kiln-users.sh && sh /root/kiln-users.sh && rm -f "
        + "/root/kiln-users.sh'");
    d(l, "finish-install/reboot_in_progress", "note", "");
    d(l, "debian-installer/exit/poweroff", "boolean", "true");
    return Map.of("preseed.cfg", (String.join("\n", l) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void d(List<String> lines, String question, String type, String value) {
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.endsWith("\\")) {
      // a newline ends a preseed value, a trailing backslash continues it onto the next line
      throw new IllegalArgumentException("preseed value for " + question + " cannot be "
          + "expressed safely");
    }
    lines.add("d-i " + question + " " + type + (value.isEmpty() ? "" : " " + value));
  }
}
