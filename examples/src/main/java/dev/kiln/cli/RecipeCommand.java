package dev.kiln.cli;

import dev.kiln.api.InvalidRecipeException;
import dev.kiln.api.Recipe;
import dev.kiln.api.RecipeProblem;
import dev.kiln.core.Recipes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln recipe …}: work with recipe files. */
@Command(name = "recipe", description = "Work with recipe files.",
    subcommands = {RecipeCommand.Validate.class, CommandLine.HelpCommand.class})
final class RecipeCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code kiln recipe validate FILE…}. */
  @Command(name = "validate", description = {"Check recipe files and print every problem, "
      + "each with file, line, column and field.",
      "Exit 0 when all are valid, 1 when any is not."})
  static final class Validate implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Recipe YAML files.")
    List<Path> files;

    @CommandLine.Mixin
    VariableOptions variables = new VariableOptions();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int exit = 0;
      java.util.Map<String, String> given;
      try {
        given = variables.values();
      } catch (InvalidRecipeException e) {
        e.problems().forEach(err::println);
        return KilnCli.EXIT_INVALID;
      } catch (IOException e) {
        err.println("kiln recipe validate: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
      for (Path file : files) {
        try {
          if (!Files.isRegularFile(file)) {
            err.println(file + ": no such file");
            exit = KilnCli.EXIT_INVALID;
            continue;
          }
          Recipe r = Recipes.loadForBuild(file, dev.kiln.templates.Catalog.builtIn().knownOs(), given);
          out.println(file + ": valid — " + r.name() + " (" + r.os() + ", "
              + r.source().getClass().getSimpleName().replace("Source", "").toLowerCase()
              + " source, " + r.outputs().size() + " output"
              + (r.outputs().size() == 1 ? "" : "s") + ")");
        } catch (InvalidRecipeException e) {
          exit = KilnCli.EXIT_INVALID;
          for (RecipeProblem p : e.problems()) {
            err.println(p);
          }
          err.println(file + ": " + e.problems().size() + " problem"
              + (e.problems().size() == 1 ? "" : "s"));
        } catch (IOException e) {
          exit = KilnCli.EXIT_INVALID;
          err.println(file + ": cannot read: " + e.getMessage());
        }
      }
      return exit;
    }
  }
}
