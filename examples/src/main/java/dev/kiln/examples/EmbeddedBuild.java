package dev.kiln.examples;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.KilnException;
import dev.kiln.api.Recipe;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.Build;
import dev.kiln.core.Kiln;
import dev.kiln.core.Recipes;
import dev.kiln.kvm.KvmHypervisor;
import dev.kiln.templates.Catalog;
import java.nio.file.Path;

/**
 * Embedding Kiln in another Java tool: {@code docs/embedding.md} quotes this file, and the
 * build compiles it, so the quoted code is code that works.
 *
 * <p>Run: {@code java -cp examples/target/kiln.jar dev.kiln.examples.EmbeddedBuild
 * examples/recipes/debian-12.yaml out}
 */
public final class EmbeddedBuild {
  private EmbeddedBuild() {}

  public static void main(String[] args) throws Exception {
    Recipe recipe = Recipes.load(Path.of(args[0]));
    try (Kiln kiln = standard()) {
      BuildResult result = kiln.build(recipe).outputDirectory(Path.of(args[1])).build().run();
      result.artifacts().forEach(a -> System.out.println(a.file() + " sha256 "
          + a.checksums().get("SHA-256")));
    } catch (BuildFailedException e) {
      System.err.println(e.getMessage()); // names the stage; e.diagnostics() has the rest
      System.exit(4);
    }
  }

  /** Everything on the class path (KVM, the built-in catalog, CloudStack), with progress. */
  public static Kiln standard() {
    EventHandlers events = EventHandlers.builder()
        .add(KilnEvent.StageFinished.class, e -> System.out.println(e.stage() + " "
            + (e.succeeded() ? "done" : "failed") + " in " + e.elapsed().toSeconds() + " s"))
        .add(KilnEvent.Warning.class, w -> System.out.println("warning: " + w.message())).build();
    return Kiln.builder().discover().events(events).build();
  }

  /** Wiring by hand instead: one hypervisor, one catalog, no publisher. */
  public static Build byHand(Recipe recipe, Path out) throws KilnException {
    Catalog catalog = Catalog.builtIn();
    return Build.builder(recipe)
        .hypervisors(uri -> KvmHypervisor.builder().uri(uri).build())
        .osCatalog(catalog::profile)
        .outputDirectory(out)
        .build();
  }
}
