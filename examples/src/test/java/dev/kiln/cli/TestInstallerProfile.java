package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.api.Recipe;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.Catalog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The OS profile of the small test installer (scripts/build-test-installer.sh): its answer file
 * goes on an OEMDRV seed like a kickstart, its kernel and initrd come from the installer ISO.
 * The installed system is the Debian fixture, so guest scripts are Debian's.
 */
final class TestInstallerProfile implements OsProfile {
  private final OsProfile debian = Catalog.builtIn().profile("debian").orElseThrow();

  @Override
  public String id() {
    return "kiln-test-installer";
  }

  @Override
  public String displayName() {
    return "Kiln test installer";
  }

  @Override
  public List<String> versions() {
    return List.of("1");
  }

  @Override
  public PackageFamily family() {
    return PackageFamily.APT;
  }

  @Override
  public InstallPlan plan(Recipe recipe) throws KilnException {
    String answers = "# kiln test installer answers\nusers=" + recipe.answers().users()
        .stream().map(u -> u.name()).collect(Collectors.joining(",")) + "\ntimezone="
        + recipe.answers().timezone() + "\n";
    return new InstallPlan(Map.of("kiln-install.cfg", answers.getBytes(StandardCharsets.UTF_8)),
        AnswerDelivery.SEED_OEMDRV, "vmlinuz", "initrd.gz", "console=ttyS0,115200n8");
  }

  @Override
  public Optional<String> guestScript(String purpose, Recipe recipe) {
    return debian.guestScript(purpose, recipe);
  }
}
