package dev.kiln.templates;

import dev.kiln.api.GuestIntegration;
import dev.kiln.api.KilnException;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.Recipe;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.internal.AgamaRenderer;
import dev.kiln.templates.internal.AnswerValues;
import dev.kiln.templates.internal.AutoYastRenderer;
import dev.kiln.templates.internal.GuestScripts;
import dev.kiln.templates.internal.KernelArguments;
import dev.kiln.templates.internal.KickstartRenderer;
import dev.kiln.templates.internal.PreseedRenderer;
import dev.kiln.templates.internal.SubiquityRenderer;
import dev.kiln.templates.values.CatalogEntry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One distribution of the catalog as an {@link OsProfile}. */
final class CatalogProfile implements OsProfile {
  private final List<CatalogEntry> versions;
  private final Catalog catalog;

  CatalogProfile(List<CatalogEntry> versions, Catalog catalog) {
    this.versions = List.copyOf(versions);
    this.catalog = catalog;
  }

  @Override
  public String id() {
    return versions.get(0).id();
  }

  @Override
  public String displayName() {
    return versions.get(0).name();
  }

  @Override
  public List<String> versions() {
    return versions.stream().map(CatalogEntry::version).toList();
  }

  @Override
  public PackageFamily family() {
    return versions.get(0).packages();
  }

  CatalogEntry entry(String version) throws KilnException {
    return versions.stream().filter(e -> e.version().equals(version)).findFirst()
        .orElseThrow(() -> new KilnException(id() + " has no version " + version + " in Kiln's "
            + "catalog (versions: " + String.join(", ", versions()) + ")"));
  }

  @Override
  public InstallPlan plan(Recipe recipe) throws KilnException {
    CatalogEntry e = entry(recipe.os().version());
    AnswerValues a = AnswerValues.of(recipe);
    Map<String, byte[]> files = switch (e.installer()) {
      case SUBIQUITY -> SubiquityRenderer.render(a);
      case DEBIAN_INSTALLER -> PreseedRenderer.render(a, "deb.debian.org", "/debian");
      case ANACONDA -> KickstartRenderer.render(a, e.option("kickstart"), e.name() + " "
          + e.version(), e.registration().isPresent());
      case AUTOYAST -> AutoYastRenderer.render(a, e.registration().isPresent());
      case AGAMA -> AgamaRenderer.render(a, e.option("product"));
    };
    return new InstallPlan(files, e.installer().delivery(), e.iso().kernel(), e.iso().initrd(),
        KernelArguments.of(e));
  }

  @Override
  public Optional<String> guestScript(String purpose, Recipe recipe) {
    String integration = recipe.guestIntegration() == GuestIntegration.PASSWORD_SERVICE
        ? "password-service" : "cloud-init";
    Set<String> tools = new LinkedHashSet<>();
    for (OutputSpec o : recipe.outputs()) {
      tools.addAll(catalog.hypervisorTools(family(), o.hypervisor()));
    }
    return GuestScripts.script(purpose, family(), Map.of("KILN_INTEGRATION", integration,
        "KILN_TOOLS", String.join(" ", tools)));
  }
}
