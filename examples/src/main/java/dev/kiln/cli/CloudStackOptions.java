package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.api.Secret;
import dev.kiln.cloudstack.CloudStackClient;
import dev.kiln.cloudstack.CloudStackCredentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a command reaches CloudStack: a cloudmonkey profile (default: cmk's current profile in
 * ~/.cmk/config), or URL and keys given here. The secret key is best given by environment
 * variable or file: command lines are visible to every user of the machine.
 */
final class CloudStackOptions {
  @Option(names = "--profile", paramLabel = "P", description = "cloudmonkey profile "
      + "(default: cmk's current profile).")
  String profile = "";

  @Option(names = "--cmk-config", paramLabel = "FILE", description = "cloudmonkey config "
      + "(default: ~/.cmk/config).")
  Path cmkConfig;

  @Option(names = "--url", paramLabel = "U", description = "API endpoint, e.g. "
      + "https://cloud.example.com/client/api (instead of a profile).")
  URI url;

  @Option(names = "--api-key", paramLabel = "K")
  String apiKey;

  @Option(names = "--secret-key", paramLabel = "S", description = "Visible in process lists; "
      + "prefer --secret-key-env or --secret-key-file.")
  String secretKey;

  @Option(names = "--secret-key-env", paramLabel = "VAR")
  String secretKeyEnv;

  @Option(names = "--secret-key-file", paramLabel = "FILE")
  Path secretKeyFile;

  @Option(names = "--poll-interval", paramLabel = "SECONDS", defaultValue = "5",
      description = "Between polls of jobs and readiness (default: ${DEFAULT-VALUE}).")
  double pollSeconds;

  @Option(names = "--read-patience", paramLabel = "SECONDS", defaultValue = "180",
      description = "How long reads and polls are retried when the management server does "
          + "not answer, e.g. while it restarts (default: ${DEFAULT-VALUE}); writes are never "
          + "retried.")
  long readPatienceSeconds;

  Duration pollInterval() {
    return Duration.ofMillis((long) (pollSeconds * 1000));
  }

  CloudStackClient client() throws KilnException {
    return CloudStackClient.builder(credentials()).pollInterval(pollInterval())
        .readPatience(Duration.ofSeconds(Math.max(0, readPatienceSeconds))).build();
  }

  CloudStackCredentials credentials() throws KilnException {
    if (url == null) {
      return CloudStackCredentials.fromCmkConfig(cmkConfig != null ? cmkConfig
          : CloudStackCredentials.defaultCmkConfig(), profile);
    }
    if (apiKey == null) {
      throw new KilnException("--url needs --api-key and a secret key");
    }
    Secret secret;
    if (secretKeyEnv != null) {
      secret = Secret.fromEnvironment(secretKeyEnv);
    } else if (secretKeyFile != null) {
      secret = Secret.fromFile(secretKeyFile);
    } else if (secretKey != null) {
      secret = Secret.of(secretKey);
    } else {
      throw new KilnException("--url needs --secret-key-env, --secret-key-file or --secret-key");
    }
    return new CloudStackCredentials(url, apiKey, secret, Duration.ofMinutes(10), true);
  }
}
