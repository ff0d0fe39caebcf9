package dev.kiln.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks Kiln's production classes against {@link ArchitectureRules}, and proves each rule
 * bites by evaluating it against deliberate violations kept in test sources
 * ({@code ..archfixture} packages).
 */
class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importKiln() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // the modules' test jars (fakes shared with examples' tests) are not production code
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.kiln");
  }

  @Test
  void productionClassesOfEveryModuleAreImported() {
    for (String pkg : new String[] {"dev.kiln.api", "dev.kiln.spi", "dev.kiln.kvm",
        "dev.kiln.cli"}) {
      assertThat(production.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
          .as("classes of %s imported", pkg).isTrue();
    }
  }

  @Test
  void noModuleImportsASibling() {
    for (ArchRule rule : ArchitectureRules.moduleRules()) {
      rule.check(production);
    }
  }

  @Test
  void formatsIsALeaf() {
    ArchitectureRules.formatsIsALeaf().check(production);
  }

  @Test
  void noPackageIsInACycle() {
    ArchitectureRules.noPackageCycles().check(production);
  }

  @Test
  void publicApiExposesNoThirdPartyType() {
    ArchitectureRules.publicApiUsesOnlyJdkAndKilnTypes().check(production);
  }

  // ---- the rules catch what they should ----------------------------------------------------

  private static JavaClasses fixture(String pkg) {
    return new ClassFileImporter().importPackages(pkg);
  }

  private static String violations(ArchRule rule, JavaClasses classes) {
    EvaluationResult result = rule.evaluate(classes);
    return result.getFailureReport().getDetails().stream().collect(Collectors.joining("\n"));
  }

  @Test
  void aSiblingImportIsCaught() {
    JavaClasses classes = fixture("dev.kiln.cloudstack.archfixture");
    String report = ArchitectureRules.moduleRules().stream()
        .map(r -> violations(r, classes)).collect(Collectors.joining("\n"));
    assertThat(report).contains("dev.kiln.cloudstack.archfixture.ImportsKvm")
        .contains("dev.kiln.kvm.AcceleratorProbe");
  }

  @Test
  void formatsImportingKilnIsCaught() {
    assertThat(violations(ArchitectureRules.formatsIsALeaf(),
        fixture("dev.kiln.formats.archfixture")))
        .contains("dev.kiln.formats.archfixture.ImportsCore").contains("dev.kiln.api.Recipe");
  }

  @Test
  void aThirdPartyTypeInThePublicApiIsCaught() {
    assertThat(violations(ArchitectureRules.publicApiUsesOnlyJdkAndKilnTypes(),
        fixture("dev.kiln.api.archfixture")))
        .contains("exposes third-party type com.fasterxml.jackson.databind.JsonNode");
  }

  @Test
  void aPackageCycleIsCaught() {
    assertThat(violations(ArchitectureRules.noPackageCycles(),
        fixture("dev.kiln.formats.archfixture")))
        .contains("Cycle detected").contains("archfixture.cyclea")
        .contains("archfixture.cycleb");
  }
}
