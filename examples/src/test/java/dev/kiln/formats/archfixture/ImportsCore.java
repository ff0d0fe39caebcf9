package dev.kiln.formats.archfixture;

import dev.kiln.api.Recipe;

/** A deliberate violation: formats must not import anything of Kiln. */
public final class ImportsCore {
  public String name(Recipe recipe) {
    return recipe.name();
  }
}
