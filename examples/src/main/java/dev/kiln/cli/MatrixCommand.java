package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.KilnException;
import dev.kiln.core.matrix.MatrixEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln matrix plan|collect}: a matrix fanned out over a CI's jobs instead of Kiln's host
 * pool. {@code plan} prints the entries (for GitHub Actions, the JSON {@code strategy.matrix}
 * takes through {@code fromJSON}); each job runs {@code kiln build --matrix M --only ENTRY};
 * {@code collect} merges the jobs' {@code matrix-manifest.json} files into one.
 */
@Command(name = "matrix", description = "Fan a matrix out over CI jobs: plan the entries, "
    + "collect the jobs' manifests.", subcommands = {MatrixCommand.Plan.class,
        MatrixCommand.Collect.class})
final class MatrixCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code kiln matrix plan}. */
  @Command(name = "plan", description = {"List a matrix's entries without building: a table, "
      + "or with --format github one line of JSON for a job's strategy.matrix "
      + "(fromJSON(needs.plan.outputs.matrix)): {\"include\": [{\"entry\", \"os\", "
      + "\"sourceKey\"}, …]}.", "sourceKey is a digest of the entry's source (its checksum or "
      + "suite and mirror), for a download cache's key."})
  static final class Plan implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MATRIX.yaml")
    Path matrix;

    @Option(names = "--format", paramLabel = "text|github", defaultValue = "text",
        description = "text (default) or github.")
    String format;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!format.equals("text") && !format.equals("github")) {
        err.println("kiln matrix plan: --format must be text or github, not " + format);
        return KilnCli.EXIT_INVALID;
      }
      MatrixFile m;
      try {
        m = MatrixFile.load(matrix);
      } catch (KilnException | IllegalArgumentException e) {
        err.println("kiln matrix plan: " + e.getMessage());
        return KilnCli.EXIT_INVALID;
      } catch (IOException e) {
        err.println("kiln matrix plan: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
      if (format.equals("github")) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode include = root.putArray("include");
        for (MatrixEntry e : m.entries()) {
          include.addObject().put("entry", e.id()).put("os", e.recipe().os().toString())
              .put("sourceKey", sourceKey(e));
        }
        out.println(root.toString()); // one line: GitHub's step outputs are key=value lines
      } else {
        String row = "%-34s %-16s %-30s %s%n";
        out.printf(Locale.ROOT, row, "ENTRY", "OS", "OUTPUTS", "REQUIRES");
        for (MatrixEntry e : m.entries()) {
          out.printf(Locale.ROOT, row, e.id(), e.recipe().os(), String.join(",",
              e.recipe().outputs().stream().map(BuildCommand::outputName).toList()),
              String.join(",", e.requiredLabels()));
        }
      }
      return 0;
    }

    /** The first 16 hex digits of SHA-256 over what identifies the entry's source. */
    static String sourceKey(MatrixEntry e) {
      try {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(e.recipe().source().toString()
            .getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d).substring(0, 16);
      } catch (NoSuchAlgorithmException ex) {
        throw new IllegalStateException("the JDK lacks SHA-256", ex);
      }
    }
  }

  /** {@code kiln matrix collect}. */
  @Command(name = "collect", description = {"Merge the matrix-manifest.json files that jobs "
      + "of one matrix wrote (kiln build --matrix M --only ENTRY --out DIR) into one, paths "
      + "made relative to --out, and print the summary table.",
      "Exit 0 when every build succeeded, 9 when one failed, 1 when a directory holds no "
      + "manifest or two jobs built the same entry."})
  static final class Collect implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Where the jobs' outputs "
        + "were downloaded (searched 4 levels deep).")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "Where "
        + "matrix-manifest.json is written (default: the current directory).")
    Path out;

    @Override
    public Integer call() {
      PrintWriter o = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Map<String, JsonNode> builds = new LinkedHashMap<>();
      List<String> sources = new ArrayList<>();
      Path base = out.toAbsolutePath().normalize();
      try {
        for (Path dir : dirs) {
          List<Path> found;
          try (Stream<Path> s = Files.walk(dir, 4)) {
            found = s.filter(p -> p.getFileName().toString().equals("matrix-manifest.json"))
                .filter(p -> !p.toAbsolutePath().normalize().equals(base.resolve(
                    "matrix-manifest.json"))).sorted().toList();
          }
          if (found.isEmpty()) {
            err.println("kiln matrix collect: no matrix-manifest.json under " + dir);
            return KilnCli.EXIT_INVALID;
          }
          for (Path f : found) {
            sources.add(base.relativize(f.toAbsolutePath().normalize()).toString());
            Path jobDir = f.toAbsolutePath().normalize().getParent();
            for (JsonNode b : JSON.readTree(f.toFile()).path("builds")) {
              String id = b.path("id").asText();
              if (builds.containsKey(id)) {
                err.println("kiln matrix collect: entry " + id + " was built by two jobs ("
                    + f + " and an earlier one)");
                return KilnCli.EXIT_INVALID;
              }
              builds.put(id, rebased((ObjectNode) b.deepCopy(), jobDir, base));
            }
          }
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("builds");
        builds.values().forEach(list::add);
        ArrayNode from = root.putArray("collectedFrom");
        sources.forEach(from::add);
        Files.createDirectories(base);
        Path partial = base.resolve("matrix-manifest.json.partial");
        Files.write(partial, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsBytes(root));
        Files.move(partial, base.resolve("matrix-manifest.json"),
            StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        err.println("kiln matrix collect: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
      summary(o, builds.values());
      o.println("matrix manifest: " + base.resolve("matrix-manifest.json"));
      return builds.values().stream().allMatch(b -> b.path("result").asText().equals("ok"))
          ? 0 : 9;
    }

    /** A build's paths, relative to its job's directory, made relative to {@code base}. */
    private static ObjectNode rebased(ObjectNode b, Path jobDir, Path base) {
      if (b.hasNonNull("manifest")) {
        b.put("manifest", base.relativize(jobDir.resolve(b.path("manifest").asText())
            .normalize()).toString());
      }
      for (JsonNode a : b.path("artifacts")) {
        ((ObjectNode) a).put("file", base.relativize(jobDir.resolve(a.path("file").asText())
            .normalize()).toString());
      }
      return b;
    }

    private static void summary(PrintWriter o, java.util.Collection<JsonNode> builds) {
      o.printf(Locale.ROOT, "%-34s %-20s %-8s %9s  %s%n", "BUILD", "HOSTS", "RESULT",
          "SECONDS", "ARTIFACTS / ERROR");
      for (JsonNode b : builds) {
        double seconds = 0;
        for (JsonNode s : b.path("stageSeconds")) {
          seconds += s.asDouble();
        }
        List<String> hosts = new ArrayList<>();
        b.path("hosts").forEach(h -> hosts.add(h.asText()));
        List<String> files = new ArrayList<>();
        b.path("artifacts").forEach(a -> files.add(a.path("file").asText()));
        o.printf(Locale.ROOT, "%-34s %-20s %-8s %9.1f  %s%n", b.path("id").asText(),
            String.join("→", hosts), b.path("result").asText().equals("failed") ? "FAILED"
                : b.path("result").asText(), seconds, files.isEmpty() ? b.path("error")
                .asText("") : files.toString());
      }
    }
  }
}
