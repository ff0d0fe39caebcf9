package dev.kiln.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Boots a template once for the annotated test class, as CloudStack boots a new VM: on a
 * throw-away qcow2 overlay (the template is never written) with a disk {@link #growMiB()}
 * larger, a ConfigDrive ({@code config-2}: a new instance id, a new SSH key, user data adding
 * the {@code kiln-test} user with that key and password-less sudo), QEMU user networking with
 * only SSH forwarded to 127.0.0.1. Test methods and lifecycle methods receive a
 * {@link TemplateMachine} parameter. The machine is removed when the class ends, however its
 * tests end; a failing test first gets the console's last lines in its report.
 *
 * <pre>{@code
 * @KilnTemplate("out/debian-12-base.qcow2")
 * class MyTemplateTest {
 *   @Test
 *   void nginxAnswers(TemplateMachine vm) throws Exception {
 *     assertThat(vm.sh("curl -fs http://localhost/")).contains("Welcome");
 *   }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(KilnTemplateExtension.class)
public @interface KilnTemplate {
  /** The template: a qcow2 or raw file (relative paths resolve against the working directory). */
  String value() default "";

  /** Where the template comes from when it is made at test time (instead of {@link #value()}). */
  Class<? extends Supplier<Path>> source() default NoSource.class;

  /** The user to log in as: {@code kiln-test}, which the ConfigDrive's user data adds. */
  String user() default "kiln-test";

  int cpus() default 2;

  int memoryMiB() default 1024;

  /** How much larger than the template the booted disk is (its root filesystem grows). */
  long growMiB() default 1024;

  /** {@code auto} (KVM where it works, else TCG), {@code kvm} or {@code tcg}. */
  String accelerator() default "auto";

  /** How long the boot until SSH answers may take (TCG on a busy host is slow). */
  int bootMinutes() default 15;

  /** No source class: {@link #value()} names the file. */
  final class NoSource implements Supplier<Path> {
    @Override
    public Path get() {
      throw new IllegalStateException("no template source");
    }
  }
}
