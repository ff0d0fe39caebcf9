package dev.kiln.junit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link KilnTemplate}: boots the template before the class's first test,
 * keeps it in the class's extension store (so JUnit closes it when the class ends, passed or
 * failed), resolves {@link TemplateMachine} parameters, and adds the console's last lines to a
 * failing test's exception before anything is cleaned up.
 */
public final class KilnTemplateExtension implements BeforeAllCallback, ParameterResolver,
    TestExecutionExceptionHandler {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KilnTemplateExtension.class);
  private static final String KEY = "machine";

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> testClass = context.getRequiredTestClass();
    KilnTemplate settings = AnnotationSupport.findAnnotation(testClass, KilnTemplate.class)
        .orElseThrow(() -> new ExtensionConfigurationException(testClass.getName()
            + " is not annotated with @KilnTemplate"));
    Path template = template(settings, testClass);
    BootedTemplate booted = BootedTemplate.boot(settings, template, testClass.getName());
    context.getStore(NAMESPACE).put(KEY, new Reaper(booted));
  }

  private static Path template(KilnTemplate settings, Class<?> testClass) throws Exception {
    Path template;
    if (settings.source() != KilnTemplate.NoSource.class) {
      template = settings.source().getDeclaredConstructor().newInstance().get();
    } else if (!settings.value().isEmpty()) {
      template = Path.of(settings.value());
    } else {
      throw new ExtensionConfigurationException("@KilnTemplate on " + testClass.getName()
          + " names no template: give a path or a source class");
    }
    if (!Files.isRegularFile(template)) {
      throw new ExtensionConfigurationException("@KilnTemplate on " + testClass.getName()
          + ": no template at " + template.toAbsolutePath());
    }
    return template;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TemplateMachine.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Reaper r = context.getStore(NAMESPACE).get(KEY, Reaper.class);
    if (r == null) {
      throw new ExtensionConfigurationException("no template was booted for "
          + context.getRequiredTestClass().getName());
    }
    return r.booted;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    Reaper r = context.getStore(NAMESPACE).get(KEY, Reaper.class);
    if (r != null) {
      throwable.addSuppressed(new BootedTemplate.ConsoleTail(r.booted.machineName(),
          r.booted.consoleTail(40)));
    }
    throw throwable;
  }

  /** What JUnit closes when the class's store goes away. */
  @SuppressWarnings("deprecation") // CloseableResource: still what JUnit 5.x closes everywhere
  private record Reaper(BootedTemplate booted) implements ExtensionContext.Store.CloseableResource,
      AutoCloseable {
    @Override
    public void close() throws Exception {
      booted.close();
    }
  }
}
