package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.api.KilnVersion;
import dev.kiln.core.provenance.Dsse;
import dev.kiln.core.provenance.ProvenanceStatement;
import dev.kiln.core.provenance.SigningKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;

/**
 * Writes {@code provenance.intoto.jsonl} beside the artifacts (one DSSE envelope on one line,
 * as SLSA's tools expect): temporary file, then rename.
 */
final class ProvenanceWriter {
  static final String FILE = "provenance.intoto.jsonl";

  private ProvenanceWriter() {}

  static BuildManifest.Provenance write(BuildContext ctx, List<Exporter.Artifact> artifacts,
      PrivateKey key) throws KilnException, IOException {
    ProvenanceStatement st = new ProvenanceStatement();
    for (Exporter.Artifact a : artifacts) {
      // every artifact has its SHA-256: the recipe's checksums always include it
      st.subject(a.file().file().getFileName().toString(), a.file().checksums().get("SHA-256"));
    }
    if (ctx.sbom != null) { // the SBOM is a product of the build too
      st.subject(ctx.sbom.file(), ctx.sbom.sha256());
    }
    Optional<Path> recipeFile = ctx.settings.recipeFile();
    st.recipe(ctx.recipe.name(), recipeFile.map(p -> p.getFileName().toString()),
        recipeFile.isPresent() ? Optional.of(sha256(recipeFile.get())) : Optional.empty());
    st.os(ctx.recipe.os().toString());
    if (ctx.source != null) {
      st.source(Optional.ofNullable(ctx.source.origin() != null ? ctx.source.origin()
          : ctx.source.mirror()), Optional.ofNullable(ctx.source.checksum()));
    }
    if (ctx.install != null) {
      ctx.install.answerFiles().forEach(st::answerFile);
    }
    st.run(KilnVersion.get(), ctx.settings.buildId(), ctx.recipe.machine().libvirtUri()
        .toString(), ctx.manifest().started(), ctx.events.now().toString());
    String envelope = Dsse.sign(st.toJson(), key) + "\n";
    Path out = ctx.settings.outputDirectory().resolve(FILE);
    Path tmp = out.resolveSibling(FILE + ".partial");
    Files.writeString(tmp, envelope, StandardCharsets.UTF_8);
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new BuildManifest.Provenance(FILE, SigningKeys.keyId(SigningKeys.publicOf(key)),
        sha256(out));
  }

  /** The file's SHA-256 in hex (commons-codec streams it). */
  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return org.apache.commons.codec.digest.DigestUtils.sha256Hex(in);
    }
  }
}
