package dev.kiln.spi;

import dev.kiln.api.KilnException;
import dev.kiln.api.Recipe;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Kiln's knowledge of one OS family: its installer, answer files and guest scripts. */
public interface OsProfile {
  /** How the answer file reaches the installer. */
  enum AnswerDelivery {
    /** NoCloud seed ISO labelled CIDATA (cloud-init, Ubuntu autoinstall). */
    SEED_CIDATA,
    /** Seed ISO labelled OEMDRV (Anaconda kickstart, AutoYaST/Agama via kernel argument). */
    SEED_OEMDRV,
    /** A cpio archive appended to the installer's initrd (Debian preseed). */
    INITRD
  }

  /** The package manager family, which selects the guest scripts. */
  enum PackageFamily {
    APT,
    DNF,
    ZYPPER
  }

  /**
   * What an install needs: the answer files by name, how they are delivered, the kernel and
   * initrd paths inside the installer ISO and the kernel command line.
   */
  record InstallPlan(Map<String, byte[]> answerFiles, AnswerDelivery delivery,
      String kernelPathInIso, String initrdPathInIso, String kernelArguments) {
    public InstallPlan {
      answerFiles = Map.copyOf(answerFiles);
      Objects.requireNonNull(delivery, "delivery");
      Objects.requireNonNull(kernelPathInIso, "kernelPathInIso");
      Objects.requireNonNull(initrdPathInIso, "initrdPathInIso");
      Objects.requireNonNull(kernelArguments, "kernelArguments");
    }
  }

  /** The catalog id, e.g. {@code debian}. */
  String id();

  /** A human name, e.g. {@code Debian GNU/Linux}. */
  String displayName();

  /** Versions in the catalog, oldest first. */
  List<String> versions();

  PackageFamily family();

  /** Renders the answer files and boot arguments for {@code recipe}. */
  InstallPlan plan(Recipe recipe) throws KilnException;

  /** A guest script by purpose (e.g. {@code cloudstack-integration}), when this family has it. */
  Optional<String> guestScript(String purpose, Recipe recipe);
}
