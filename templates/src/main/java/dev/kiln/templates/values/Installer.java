package dev.kiln.templates.values;

import dev.kiln.spi.OsProfile.AnswerDelivery;

/** The installer a catalog entry uses, which fixes the answer-file language and its delivery. */
public enum Installer {
  /** Ubuntu's subiquity: autoinstall inside cloud-init user-data on a CIDATA seed. */
  SUBIQUITY("autoinstall (cloud-init NoCloud)", AnswerDelivery.SEED_CIDATA),
  /** debian-installer: a preseed appended to the initrd. */
  DEBIAN_INSTALLER("preseed (initrd)", AnswerDelivery.INITRD),
  /** Anaconda: a kickstart on an OEMDRV seed. */
  ANACONDA("kickstart (OEMDRV)", AnswerDelivery.SEED_OEMDRV),
  /** linuxrc + YaST: an AutoYaST profile on an OEMDRV seed. */
  AUTOYAST("AutoYaST (OEMDRV)", AnswerDelivery.SEED_OEMDRV),
  /** Agama: a JSON profile on an OEMDRV seed. */
  AGAMA("Agama profile (OEMDRV)", AnswerDelivery.SEED_OEMDRV);

  private final String method;
  private final AnswerDelivery delivery;

  Installer(String method, AnswerDelivery delivery) {
    this.method = method;
    this.delivery = delivery;
  }

  /** How the install is driven, for listings. */
  public String method() {
    return method;
  }

  public AnswerDelivery delivery() {
    return delivery;
  }

  /** The installer a catalog file names ({@code subiquity}, {@code anaconda}…). */
  public static Installer parse(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
  }
}
