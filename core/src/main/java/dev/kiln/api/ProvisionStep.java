package dev.kiln.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One provisioning step run over SSH after the OS is installed, in recipe order. */
public sealed interface ProvisionStep {

  /** Runs a shell script, given inline or as a local file, as root. */
  record Shell(Optional<String> inline, Optional<Path> script, Duration timeout)
      implements ProvisionStep {
    public Shell {
      if (inline.isPresent() == script.isPresent()) {
        throw new IllegalArgumentException("a shell step has either inline text or a script");
      }
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  /** Uploads a local file or directory to {@code destination} in the guest. */
  record Upload(Path source, String destination) implements ProvisionStep {
    public Upload {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(destination, "destination");
    }
  }

  /** Reboots the guest and waits until SSH answers again. */
  record Reboot(Duration timeout) implements ProvisionStep {
    public Reboot {
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  /** Refreshes the package index, optionally upgrades, and installs packages. */
  record Packages(List<String> install, boolean upgrade) implements ProvisionStep {
    public Packages {
      install = List.copyOf(install);
    }
  }
}
