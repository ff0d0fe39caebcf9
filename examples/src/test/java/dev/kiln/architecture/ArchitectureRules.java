package dev.kiln.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The module graph of DESIGN.md as ArchUnit rules, by package: {@code formats} is a leaf;
 * {@code core} ({@code dev.kiln.api}, {@code dev.kiln.spi}, {@code dev.kiln.core}) sees only
 * {@code formats}; the three implementation modules see core and formats but never each other;
 * only {@code examples} ({@code dev.kiln.cli}, {@code dev.kiln.examples}) sees everything.
 */
final class ArchitectureRules {
  /** Module name to the packages it owns. */
  static final Map<String, List<String>> MODULES = Map.of(
      "formats", List.of("dev.kiln.formats.."),
      "core", List.of("dev.kiln.api..", "dev.kiln.spi..", "dev.kiln.core.."),
      "hypervisor-kvm", List.of("dev.kiln.kvm.."),
      "templates", List.of("dev.kiln.templates.."),
      "cloudstack", List.of("dev.kiln.cloudstack.."),
      "examples", List.of("dev.kiln.cli..", "dev.kiln.examples.."));

  /** Which modules each module may use besides itself. */
  static final Map<String, List<String>> ALLOWED = Map.of(
      "formats", List.of(),
      "core", List.of("formats"),
      "hypervisor-kvm", List.of("core", "formats"),
      "templates", List.of("core", "formats"),
      "cloudstack", List.of("core", "formats"),
      "examples", List.of("core", "formats", "hypervisor-kvm", "templates", "cloudstack"));

  private ArchitectureRules() {}

  /** One rule per module: it depends on no Kiln module outside its allowed list. */
  static List<ArchRule> moduleRules() {
    List<ArchRule> rules = new ArrayList<>();
    for (String module : MODULES.keySet()) {
      List<String> forbidden = new ArrayList<>();
      for (String other : MODULES.keySet()) {
        if (!other.equals(module) && !ALLOWED.get(module).contains(other)) {
          forbidden.addAll(MODULES.get(other));
        }
      }
      rules.add(noClasses().that().resideInAnyPackage(MODULES.get(module).toArray(String[]::new))
          .should().dependOnClassesThat()
          .resideInAnyPackage(forbidden.toArray(String[]::new))
          .as("module " + module + " uses only " + ALLOWED.get(module))
          .allowEmptyShould(true));
    }
    return rules;
  }

  /**
   * No package of any module imports a package that imports it back, directly or through
   * others: each package can be read, tested and moved knowing only what it imports.
   */
  static ArchRule noPackageCycles() {
    return com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
        .matching("dev.kiln.(**)").should().beFreeOfCycles()
        .as("no package cycles in any module");
  }

  /** {@code formats} is usable on its own: the JDK, Commons Compress and JNA only. */
  static ArchRule formatsIsALeaf() {
    return classes().that().resideInAPackage("dev.kiln.formats..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax..", "org.w3c..",
            "org.xml..", "org.apache.commons.compress..", "org.tukaani.xz..", "com.sun.jna..",
            "dev.kiln.formats..",
            "")
        .as("formats depends on nothing of Kiln and only on the JDK, Commons Compress (with "
            + "XZ for Java) and JNA")
        .allowEmptyShould(true);
  }

  /**
   * Public types outside {@code internal} packages (the CLI aside) expose only JDK and Kiln
   * types in public signatures: fields, parameters, return types and throws clauses.
   */
  static ArchRule publicApiUsesOnlyJdkAndKilnTypes() {
    return classes().that().arePublic().and().resideInAPackage("dev.kiln..")
        .and().resideOutsideOfPackages("..internal..", "dev.kiln.cli..")
        .should(exposeOnlyJdkAndKilnTypes())
        .as("public API types expose only JDK and Kiln types");
  }

  private static ArchCondition<JavaClass> exposeOnlyJdkAndKilnTypes() {
    return new ArchCondition<>("expose only JDK and Kiln types") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        for (JavaField f : type.getFields()) {
          if (f.getModifiers().contains(JavaModifier.PUBLIC)) {
            verify(type, f.getFullName(), f.getRawType(), events);
          }
        }
        for (JavaCodeUnit unit : type.getCodeUnits()) {
          if (!unit.getModifiers().contains(JavaModifier.PUBLIC)) {
            continue;
          }
          unit.getRawParameterTypes().forEach(p -> verify(type, unit.getFullName(), p, events));
          verify(type, unit.getFullName(), unit.getRawReturnType(), events);
          unit.getExceptionTypes().forEach(e -> verify(type, unit.getFullName(), e, events));
        }
      }

      private void verify(JavaClass owner, String member, JavaClass used, ConditionEvents events) {
        JavaClass base = used.isArray() ? used.getBaseComponentType() : used;
        if (!ALLOWED_IN_API.test(base)) {
          events.add(SimpleConditionEvent.violated(owner, member + " exposes third-party type "
              + base.getName()));
        }
      }
    };
  }

  /**
   * The one third-party type the API takes: the JVM's metrics facade, which an embedder's
   * registry already implements (converting it to a JDK type would force an adapter on
   * everyone who has one).
   */
  static final java.util.Set<String> THIRD_PARTY_IN_API = java.util.Set.of(
      "io.micrometer.core.instrument.MeterRegistry");

  private static final DescribedPredicate<JavaClass> ALLOWED_IN_API =
      DescribedPredicate.describe("a JDK or Kiln type", c -> c.isPrimitive()
          || c.getPackageName().startsWith("java.") || c.getPackageName().startsWith("javax.")
          || c.getPackageName().startsWith("dev.kiln.")
          || THIRD_PARTY_IN_API.contains(c.getName()));
}
