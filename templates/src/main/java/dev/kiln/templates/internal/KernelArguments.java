package dev.kiln.templates.internal;

import dev.kiln.templates.values.CatalogEntry;

/**
 * The kernel command line that makes each installer run unattended, on the serial console,
 * reading its answers from where Kiln puts them (docs/os-catalog.md has the sources).
 */
public final class KernelArguments {
  static final String CONSOLE = "console=tty0 console=ttyS0,115200n8";

  private KernelArguments() {}

  public static String of(CatalogEntry e) {
    return switch (e.installer()) {
      // "autoinstall" skips subiquity's confirmation prompt; the CIDATA seed is found by label
      case SUBIQUITY -> "autoinstall " + CONSOLE;
      // the preseed in the initrd is read before the first question
      case DEBIAN_INSTALLER -> "auto=true priority=critical " + CONSOLE;
      case ANACONDA -> "inst.stage2=hd:LABEL=" + escapeLabel(e.iso().volumeId())
          + " inst.ks=hd:LABEL=OEMDRV:/ks.cfg " + CONSOLE;
      case AUTOYAST -> "install=cd:/ autoyast=label://OEMDRV/autoinst.xml "
          + "console=tty0 console=ttyS0,115200 textmode=1";
      case AGAMA -> "inst.auto=label://OEMDRV/autoinst.json inst.finish=poweroff "
          + "systemd.unit=multi-user.target " + CONSOLE;
    };
  }

  /** A volume label as dracut's {@code LABEL=} reads it: odd characters as {@code \xNN}. */
  static String escapeLabel(String label) {
    StringBuilder b = new StringBuilder();
    for (char c : label.toCharArray()) {
      if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.') {
        b.append(c);
      } else {
        b.append(String.format("\\x%02x", (int) c));
      }
    }
    return b.toString();
  }
}
