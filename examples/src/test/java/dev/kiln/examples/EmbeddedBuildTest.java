package dev.kiln.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.KilnException;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Recipe;
import dev.kiln.core.Build;
import dev.kiln.core.Kiln;
import dev.kiln.core.Recipes;
import dev.kiln.spi.PublisherProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The embedding example's wiring, without a VM: ServiceLoader finds the modules' parts (the
 * SPI package promised this and nothing did it before), and the OS is resolved when the
 * build is made.
 */
class EmbeddedBuildTest {
  static final Path RECIPE = Path.of("recipes/debian-12.yaml");

  @Test
  void standardFindsTheCatalogAndCloudStackOnTheClassPath() throws Exception {
    try (Kiln kiln = EmbeddedBuild.standard()) {
      assertThat(kiln.osCatalog().profile(new OsSelection("debian", "12")))
          .hasValueSatisfying(p -> assertThat(p.id()).isEqualTo("debian"));
      assertThat(kiln.osCatalog().profile(new OsSelection("debian", "99"))).isEmpty();
      assertThat(kiln.publishers()).extracting(PublisherProvider::name)
          .containsExactly("cloudstack");
      Build build = kiln.build(Recipes.load(RECIPE)).buildId("embed-1").build();
      assertThat(build.id()).isEqualTo("embed-1");
    }
  }

  @Test
  void wiringByHandCompilesWithACatalogMethodReference() throws Exception {
    Recipe recipe = Recipes.load(RECIPE);
    assertThat(EmbeddedBuild.byHand(recipe, Path.of("out")).id()).isNotBlank();
    Recipe unknown = Recipe.builder(new OsSelection("windows", "11"), recipe.source())
        .addOutput(recipe.outputs().get(0)).build();
    assertThatThrownBy(() -> EmbeddedBuild.byHand(unknown, Path.of("out")))
        .isInstanceOf(KilnException.class).hasMessage("no OS profile for windows-11 (see kiln "
            + "list)");
  }
}
