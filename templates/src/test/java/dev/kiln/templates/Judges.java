package dev.kiln.templates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The validators rendered answer files are judged by: tools that share no code with Kiln. */
final class Judges {
  record Verdict(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private Judges() {}

  static Verdict run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Verdict(-1, "timed out: " + command);
    }
    return new Verdict(p.exitValue(), out);
  }

  /** cloud-init's own schema check of a cloud-config file. */
  static Verdict cloudInitSchema(Path userData) throws Exception {
    return run(List.of("cloud-init", "schema", "--config-file", userData.toString()));
  }

  /** python3-jsonschema against a schema from test resources (copied under answer-schemas). */
  static Verdict jsonSchema(Path workDir, String schemaResource, Path instance,
      String... options) throws Exception {
    Path schemas = extract(workDir, "answer-schemas");
    Path script = workDir.resolve("validate_schema.py");
    try (InputStream in = Judges.class.getResourceAsStream("/validate_schema.py")) {
      Files.write(script, in.readAllBytes());
    }
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString(),
        schemas.resolve(schemaResource).toString(), instance.toString()));
    cmd.addAll(List.of(options));
    return run(cmd);
  }

  /** debconf's syntax check of a preseed. */
  static Verdict debconf(Path preseed) throws Exception {
    return run(List.of("debconf-set-selections", "--checkonly", preseed.toString()));
  }

  static Verdict xmlWellFormed(Path xml) throws Exception {
    return run(List.of("xmllint", "--noout", "--nonet", xml.toString()));
  }

  static Verdict shellcheck(Path dir, String script) throws Exception {
    Path f = Files.createTempFile(dir, "script", ".sh");
    Files.writeString(f, script);
    return run(List.of("shellcheck", "-s", "sh", "-S", "warning", f.toString()));
  }

  /** Copies a test-resource directory tree to disk (the validators read files). */
  private static Path extract(Path workDir, String resourceDir) throws Exception {
    Path target = workDir.resolve(resourceDir);
    if (Files.exists(target)) {
      return target;
    }
    Path source = Path.of(Judges.class.getResource("/" + resourceDir).toURI());
    try (var files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return target;
  }
}
