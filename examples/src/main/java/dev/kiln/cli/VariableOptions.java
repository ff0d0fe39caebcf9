package dev.kiln.cli;

import dev.kiln.api.InvalidRecipeException;
import dev.kiln.core.Recipes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Values for a recipe's {@code variables:} (Packer's {@code -var} and {@code -var-file}):
 * var files in the order given, then {@code --var} values, the later winning; a declared
 * variable left without a value is read from {@code KILN_VAR_NAME} by the recipe loader.
 */
final class VariableOptions {
  @Option(names = {"--var", "-var"}, paramLabel = "NAME=VALUE", description = "A value for "
      + "the recipe's variable NAME (${var.NAME}); repeatable; a variable marked sensitive "
      + "never appears in a log or message.")
  Map<String, String> values = new LinkedHashMap<>();

  @Option(names = {"--var-file", "-var-file"}, paramLabel = "FILE.yaml", description = "A YAML "
      + "map of variable names to values; repeatable, later files win, --var wins over all.")
  List<Path> files = new ArrayList<>();

  /**
   * The values given, var files first.
   *
   * @throws InvalidRecipeException for a var file's problems, located
   * @throws IOException when a var file cannot be read
   */
  Map<String, String> values() throws IOException, InvalidRecipeException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path f : files) {
      out.putAll(Recipes.loadVariables(f));
    }
    out.putAll(values);
    return out;
  }
}
