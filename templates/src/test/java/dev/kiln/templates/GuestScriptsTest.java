package dev.kiln.templates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.OsSelection;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.Recipe;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.internal.GuestScripts;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest scripts of every package family pass shellcheck as assembled for a recipe, and
 * carry the package names of the hypervisor tools its outputs need. (They are run for real on
 * the Debian fixture by the SSH/provisioning VM tests.)
 */
@Tag("validator")
class GuestScriptsTest {
  @TempDir Path dir;

  @Test
  void everyFamilyAndPurposePassesShellcheck() throws Exception {
    Catalog catalog = Catalog.builtIn();
    for (String id : catalog.ids()) {
      OsProfile profile = catalog.profile(id).orElseThrow();
      Recipe recipe = Recipe.builder(new OsSelection(id, profile.versions().get(0)),
          Recipes.iso())
          .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.BZIP2))
          .addOutput(new OutputSpec(TargetHypervisor.VMWARE, ImageFormat.OVA, Packaging.NONE))
          .build();
      for (String purpose : GuestScripts.PURPOSES) {
        String script = profile.guestScript(purpose, recipe).orElseThrow();
        Judges.Verdict v = Judges.shellcheck(dir, script);
        assertThat(v.ok()).as(id + " " + purpose + ":\n" + v.output()).isTrue();
      }
      String tools = profile.guestScript("hypervisor-tools", recipe).orElseThrow();
      assertThat(tools).contains("qemu-guest-agent", "open-vm-tools")
          .contains("KILN_FAMILY=" + profile.family().name().toLowerCase());
    }
    assertThat(catalog.profile("debian").orElseThrow().guestScript("no-such", Recipes
        .defaults(catalog.entry("debian-12").orElseThrow()))).isEmpty();
  }
}
