package dev.kiln.core;

import dev.kiln.api.InvalidRecipeException;
import dev.kiln.api.KnownOs;
import dev.kiln.api.Recipe;
import dev.kiln.core.internal.recipe.RecipeParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads recipes from YAML. Every problem in a file is reported at once, located precisely. */
public final class Recipes {
  private Recipes() {}

  /**
   * Reads and validates a recipe file. Relative paths in it resolve against its folder.
   *
   * @throws InvalidRecipeException with every problem found
   * @throws IOException when the file cannot be read
   */
  public static Recipe load(Path file) throws IOException, InvalidRecipeException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    return RecipeParser.parse(text, file.toString(), base);
  }

  /**
   * As {@link #load(Path)}, and everything a build on this machine would refuse later: the
   * {@code os} checked against a catalog ({@code knownOs} maps each OS id to its versions, e.g.
   * from {@code Catalog.builtIn()}; an unknown id gets a did-you-mean, an unknown version the
   * versions there are), every local file the recipe names readable (scripts, uploads, secret
   * files, a local ISO or image) and every environment secret set. What {@code kiln recipe
   * validate} and {@code kiln build} use.
   */
  public static Recipe loadForBuild(Path file, java.util.Map<String, List<String>> knownOs)
      throws IOException, InvalidRecipeException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    return RecipeParser.parse(text, file.toString(), base, knownOs, true);
  }

  /**
   * As {@link #loadForBuild(Path, java.util.Map)}, with values for the recipe's
   * {@code variables:} (name to value, e.g. from {@code --var} and var files), substituted for
   * every {@code ${var.NAME}} before the recipe is checked. A value for a variable the recipe
   * does not declare, a reference to an undeclared variable and a used variable without a value
   * are problems like any other; a sensitive variable's value is never quoted in one.
   */
  public static Recipe loadForBuild(Path file, java.util.Map<String, List<String>> knownOs,
      java.util.Map<String, String> variables) throws IOException, InvalidRecipeException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    return RecipeParser.parse(text, file.toString(), base, knownOs, true, variables);
  }

  /**
   * As {@link #loadForBuild(Path, java.util.Map, java.util.Map)}, checked against what a catalog
   * knows of each OS (e.g. {@code Catalog.builtIn().knownOs()}): also a source kind the OS
   * cannot use (debootstrap for an rpm-based system) and a missing vendor registration.
   */
  public static Recipe loadForBuild(Path file, List<KnownOs> knownOs,
      java.util.Map<String, String> variables) throws IOException, InvalidRecipeException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    return RecipeParser.parse(text, file.toString(), base, knownOs, true, variables);
  }

  /**
   * Reads a var file: a YAML map of variable names to values.
   *
   * @throws InvalidRecipeException with every problem, located
   * @throws IOException when the file cannot be read
   */
  public static java.util.Map<String, String> loadVariables(Path file)
      throws IOException, InvalidRecipeException {
    return RecipeParser.parseVariableFile(Files.readString(file, StandardCharsets.UTF_8),
        file.toString());
  }

  /**
   * Parses recipe YAML held in memory; {@code fileName} only labels problems and relative
   * paths resolve against {@code baseDir}.
   */
  public static Recipe parse(String yaml, String fileName, Path baseDir)
      throws InvalidRecipeException {
    return RecipeParser.parse(yaml, fileName, baseDir);
  }

  /** The top-level keys a recipe may contain, in documentation order. */
  public static List<String> topLevelKeys() {
    return RecipeParser.TOP_LEVEL_KEYS;
  }
}
