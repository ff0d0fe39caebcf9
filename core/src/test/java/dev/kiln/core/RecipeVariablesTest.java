package dev.kiln.core;

import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.InvalidRecipeException;
import dev.kiln.api.KnownOs;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.Recipe;
import dev.kiln.api.RecipeProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A recipe's {@code variables:} and {@code ${var.NAME}}: values, types, problems, masking. */
class RecipeVariablesTest {
  @TempDir
  Path dir;

  private static final List<KnownOs> CATALOG = List.of(
      new KnownOs("debian", List.of("12"), true, Optional.empty()),
      new KnownOs("rocky", List.of("9"), false, Optional.empty()),
      new KnownOs("rhel", List.of("9"), false, Optional.of("activation-key")));

  private static final String RECIPE = String.join("\n",
      "variables:",
      "  mirror: http://deb.debian.org/debian",
      "  cpus: {default: 2, description: build machine CPUs}",
      "  token: {sensitive: true}",
      "name: web-${var.cpus}",
      "os: {id: debian, version: \"12\"}",
      "source:",
      "  debootstrap: {suite: bookworm, mirror: \"${var.mirror}\"}",
      "machine:",
      "  cpus: ${var.cpus}",
      "provision:",
      "  - shell: \"curl -H 'Token: ${var.token}' https://example.test/ # $${var.token} stays\"",
      "");

  private Recipe load(String yaml, Map<String, String> values) throws Exception {
    Path file = dir.resolve("r.yaml");
    Files.writeString(file, yaml);
    return Recipes.loadForBuild(file, CATALOG, values);
  }

  private List<String> problems(String yaml, Map<String, String> values) {
    try {
      load(yaml, values);
    } catch (InvalidRecipeException e) {
      return e.problems().stream().map(RecipeProblem::toString).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("accepted:\n" + yaml);
  }

  @Test
  void referencesTakeGivenValuesOrDefaultsAndAWholeValueTakesItsType() throws Exception {
    Recipe r = load(RECIPE, Map.of("token", "s3cr3t-t0ken", "cpus", "4"));
    assertThat(r.name()).isEqualTo("web-4");
    assertThat(r.machine().cpus()).isEqualTo(4); // a number, not the text "4"
    assertThat(((DebootstrapSource) r.source()).mirror()).hasToString(
        "http://deb.debian.org/debian");
    assertThat(((ProvisionStep.Shell) r.provisioning().get(0)).inline().orElseThrow())
        .isEqualTo("curl -H 'Token: s3cr3t-t0ken' https://example.test/ # ${var.token} stays");
    assertThat(r.sensitiveVariables()).containsOnlyKeys("token");
    assertThat(r.sensitiveVariables().get("token").reveal()).isEqualTo("s3cr3t-t0ken");
    assertThat(r.toString()).doesNotContain("s3cr3t-t0ken").isNotNull();
    // the default when nothing is given
    assertThat(load(RECIPE, Map.of("token", "x")).machine().cpus()).isEqualTo(2);
  }

  @Test
  void theProblemsAreLocatedAndNameWhatToDo() {
    String yaml = RECIPE.replace("${var.mirror}", "${var.mirorr}");
    assertThat(problems(yaml, Map.of("tokn", "x"))).containsExactly(
        dir.resolve("r.yaml") + ": variables: a value was given for 'tokn', which the "
            + "recipe does not declare (did you mean 'token'?); declare it under variables:",
        dir.resolve("r.yaml") + ":8:42: source.debootstrap.mirror: unknown variable 'mirorr' "
            + "(did you mean 'mirror'?); declared: mirror, cpus, token",
        dir.resolve("r.yaml") + ":12:12: provision[0].shell: variable 'token' has no value: "
            + "give --var token=VALUE, put it in a --var-file, or set KILN_VAR_token");
  }

  @Test
  void aSensitiveValueIsNeverQuotedInAProblem() {
    // a value that breaks the name rule: the problem shows the rule, the value masked
    String yaml = RECIPE.replace("name: web-${var.cpus}", "name: \"${var.token}\"");
    List<String> p = problems(yaml, Map.of("token", "not a valid name!"));
    assertThat(p).singleElement().asString().contains("name: must be").contains("****")
        .doesNotContain("not a valid name!");
  }

  @Test
  void aVarFileIsAFlatMapAndItsProblemsAreLocated() throws Exception {
    Path vars = dir.resolve("vars.yaml");
    Files.writeString(vars, "cpus: 3\ntoken: abc\n");
    assertThat(Recipes.loadVariables(vars)).containsExactly(Map.entry("cpus", "3"),
        Map.entry("token", "abc"));
    Files.writeString(vars, "cpus: [1, 2]\n");
    assertThatThrownBy(() -> Recipes.loadVariables(vars)).isInstanceOf(
        InvalidRecipeException.class).hasMessageContaining(vars + ":1:7: cpus: expected text, "
            + "a number or true/false, found a list");
  }

  @Test
  void theCatalogRefusesASourceTheOsCannotUseAndAMissingRegistration() {
    String rocky = String.join("\n", "os: {id: rocky, version: \"9\"}",
        "source: {debootstrap: {suite: bookworm}}", "");
    assertThat(problems(rocky, Map.of())).singleElement().asString().contains(
        ":2:9: source: a debootstrap source builds only Debian and Ubuntu (apt) systems, not "
            + "rocky");
    String rhel = String.join("\n", "os: {id: rhel, version: \"9\"}",
        "source: {cloudImage: {path: /dev/null, checksum: \"sha256:" + "0".repeat(64) + "\"}}",
        "");
    assertThat(problems(rhel, Map.of())).singleElement().asString().contains(
        "os: rhel needs answers.registration (key: its activation-key");
  }
}
