package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.api.KilnException;
import dev.kiln.api.Recipe;
import dev.kiln.core.Recipes;
import dev.kiln.core.matrix.BuildHost;
import dev.kiln.core.matrix.MatrixEntry;
import dev.kiln.templates.Catalog;
import dev.kiln.templates.values.CatalogEntry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A matrix file (docs/matrix.md): the host pool and the builds, each a recipe or catalog OS
 * ids crossed with output sets, with per-entry overrides and required host labels.
 */
record MatrixFile(List<BuildHost> hosts, List<MatrixEntry> entries, int parallel,
    boolean failFast) {

  /**
   * The host's libvirt URI with what the matrix says besides it: {@code ssh:} (the SSH
   * endpoint guests are reached through, for {@code qemu+tls} hosts) and {@code cacheGib:}
   * (the cap of the host's media cache) become Kiln's URI parameters {@code kiln-ssh} and
   * {@code kiln-cache-gib}, which the KVM backend reads and libvirt never sees.
   */
  private static URI hostUri(JsonNode h, Path file) throws KilnException {
    StringBuilder uri = new StringBuilder(text(h, "uri", file));
    if (h.hasNonNull("ssh")) {
      String ssh = h.get("ssh").asText();
      if (!ssh.matches("([A-Za-z0-9._-]+@)?[A-Za-z0-9.:\\[\\]-]+")) {
        throw new KilnException(file + ": host " + h.path("name").asText() + ": ssh: '" + ssh
            + "' is not [user@]host[:port]");
      }
      uri.append(uri.indexOf("?") < 0 ? '?' : '&').append("kiln-ssh=").append(ssh);
    }
    if (h.hasNonNull("cacheGib")) {
      if (!h.get("cacheGib").canConvertToLong() || h.get("cacheGib").asLong() < 1) {
        throw new KilnException(file + ": host " + h.path("name").asText()
            + ": cacheGib must be a whole number of GiB");
      }
      uri.append(uri.indexOf("?") < 0 ? '?' : '&').append("kiln-cache-gib=")
          .append(h.get("cacheGib").asLong());
    }
    return URI.create(uri.toString());
  }

  static MatrixFile load(Path file) throws IOException, KilnException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    if (root == null || !root.isObject()) {
      throw new KilnException(file + ": a matrix is a YAML mapping with hosts and builds");
    }
    List<BuildHost> hosts = new ArrayList<>();
    for (JsonNode h : root.path("hosts")) {
      Set<String> labels = new LinkedHashSet<>();
      h.path("labels").forEach(l -> labels.add(l.asText()));
      hosts.add(new BuildHost(text(h, "name", file), hostUri(h, file),
          h.path("capacity").asInt(1), labels));
    }
    if (hosts.isEmpty()) {
      hosts.add(new BuildHost("local", URI.create("qemu:///system"), 1, Set.of()));
    }
    Catalog catalog = Catalog.builtIn();
    List<MatrixEntry> entries = new ArrayList<>();
    for (JsonNode b : root.path("builds")) {
      Set<String> requires = new LinkedHashSet<>();
      b.path("requires").forEach(l -> requires.add(l.asText()));
      List<List<String>> outputSets = new ArrayList<>();
      if (b.has("outputSets")) {
        for (JsonNode set : b.path("outputSets")) {
          List<String> s = new ArrayList<>();
          set.forEach(x -> s.add(x.asText()));
          outputSets.add(s);
        }
      } else if (b.has("outputs")) {
        List<String> s = new ArrayList<>();
        b.path("outputs").forEach(x -> s.add(x.asText()));
        outputSets.add(s);
      } else {
        outputSets.add(List.of());
      }
      List<Recipe> recipes = new ArrayList<>();
      if (b.has("recipe")) {
        recipes.add(Recipes.load(file.toAbsolutePath().getParent().resolve(b.path("recipe")
            .asText())));
      } else {
        List<String> ids = new ArrayList<>();
        if (b.path("os").isArray()) {
          b.path("os").forEach(x -> ids.add(x.asText()));
        } else {
          ids.add(text(b, "os", file));
        }
        for (String id : ids) {
          CatalogEntry e = catalog.entry(id).orElseThrow(() -> new KilnException(file
              + ": no OS '" + id + "' in the catalog (see kiln list)"));
          recipes.add(BuildCommand.fromCatalog(e));
        }
      }
      for (Recipe r : recipes) {
        for (List<String> outputs : outputSets) {
          Recipe recipe = outputs.isEmpty() ? r : withOutputs(r, outputs);
          String id = b.has("id") && recipes.size() * outputSets.size() == 1
              ? b.path("id").asText() : (r.name() + (outputs.isEmpty() ? ""
              : "-" + String.join("-", outputs))).replaceAll("[^A-Za-z0-9._-]", "-");
          entries.add(new MatrixEntry(id.length() > 41 ? id.substring(0, 41) : id, recipe,
              requires));
        }
      }
    }
    if (entries.isEmpty()) {
      throw new KilnException(file + ": no builds");
    }
    return new MatrixFile(hosts, entries, root.path("parallel").asInt(hosts.stream()
        .mapToInt(BuildHost::capacity).sum()), root.path("failFast").asBoolean(false));
  }

  /** {@code r} writing {@code outputs} instead of its own; everything else kept. */
  static Recipe withOutputs(Recipe r, List<String> outputs) {
    return r.toBuilder().outputs(outputs.stream().map(ArtifactNames::output).toList()).build();
  }

  /**
   * This matrix with only the entries {@code only} names (all when empty) and none that
   * {@code except} names: one CI job builds one entry ({@code --only ENTRY}).
   *
   * @throws KilnException for a name no entry has, with a did-you-mean and the entries
   */
  MatrixFile select(List<String> only, List<String> except) throws KilnException {
    List<String> ids = entries.stream().map(MatrixEntry::id).toList();
    List<String> named = new ArrayList<>(only);
    named.addAll(except);
    for (String n : named) {
      if (!ids.contains(n)) {
        throw new KilnException("the matrix has no entry '" + n + "'" + dev.kiln.api.DidYouMean
            .suggest(n, ids).map(g -> " (did you mean '" + g + "'?)").orElse("")
            + "; its entries: " + String.join(", ", ids));
      }
    }
    List<MatrixEntry> kept = entries.stream().filter(e -> only.isEmpty()
        || only.contains(e.id())).filter(e -> !except.contains(e.id())).toList();
    if (kept.isEmpty()) {
      throw new KilnException("--only and --except leave no entry to build (entries: "
          + String.join(", ", ids) + ")");
    }
    return new MatrixFile(hosts, kept, parallel, failFast);
  }

  private static String text(JsonNode n, String field, Path file) throws KilnException {
    if (!n.hasNonNull(field)) {
      throw new KilnException(file + ": '" + field + "' is missing in " + n);
    }
    return n.get(field).asText();
  }
}
