package dev.kiln.core.testing;

import dev.kiln.api.Recipe;
import dev.kiln.spi.OsProfile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OS profile whose installer boots from the fake ISO and whose scripts are one line. */
public final class FakeOsProfile implements OsProfile {
  @Override
  public String id() {
    return "fakeos";
  }

  @Override
  public String displayName() {
    return "Fake OS";
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
  public InstallPlan plan(Recipe recipe) {
    return new InstallPlan(Map.of("preseed.cfg", ("d-i users " + recipe.answers().users()
        .size()).getBytes(StandardCharsets.UTF_8)), AnswerDelivery.INITRD, "/install/vmlinuz",
        "/install/initrd.gz", "auto=true");
  }

  @Override
  public Optional<String> guestScript(String purpose, Recipe recipe) {
    return Optional.of("echo " + purpose + "\n");
  }
}
