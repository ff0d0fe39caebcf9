package dev.kiln.cli.doctor;

import java.util.Optional;

/**
 * One finding of {@code kiln doctor}.
 *
 * @param name what was checked, e.g. {@code libvirt}
 * @param status the verdict
 * @param detail what was found
 * @param fix what to install or change, when something should be
 */
public record Check(String name, Status status, String detail, Optional<String> fix) {
  /** A verdict. FAIL means builds cannot run; WARN means they can, worse or slower. */
  public enum Status {
    OK,
    INFO,
    WARN,
    FAIL
  }

  static Check ok(String name, String detail) {
    return new Check(name, Status.OK, detail, Optional.empty());
  }

  static Check info(String name, String detail) {
    return new Check(name, Status.INFO, detail, Optional.empty());
  }

  static Check warn(String name, String detail, String fix) {
    return new Check(name, Status.WARN, detail, Optional.ofNullable(fix));
  }

  static Check fail(String name, String detail, String fix) {
    return new Check(name, Status.FAIL, detail, Optional.ofNullable(fix));
  }
}
