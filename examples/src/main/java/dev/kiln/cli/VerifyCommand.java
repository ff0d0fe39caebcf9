package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.core.provenance.ProvenanceCheck;
import dev.kiln.core.provenance.SigningKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln verify}: artifacts against their signed provenance. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = {"Checks artifacts "
    + "against a build's signed provenance: the DSSE signature with the public key, then each "
    + "artifact's SHA-256 against the statement's subjects. Exit 1 on any mismatch."})
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ARTIFACT", arity = "1..*", description = "The files to check.")
  List<Path> artifacts;

  @Option(names = "--provenance", paramLabel = "FILE", required = true,
      description = "provenance.intoto.jsonl from the build's output directory.")
  Path provenance;

  @Option(names = "--public-key", paramLabel = "KEY.pub", required = true,
      description = "The signer's Ed25519 public key (openssl pkey -pubout).")
  Path publicKey;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ProvenanceCheck.Result r;
    try {
      r = ProvenanceCheck.check(provenance, SigningKeys.publicKey(publicKey), artifacts);
    } catch (KilnException e) {
      err.println("kiln verify: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
    r.verified().forEach(name -> o.println(name + ": OK (signed by "
        + keyId() + ")"));
    r.problems().forEach(p -> err.println("kiln verify: " + p));
    return r.ok() ? 0 : KilnCli.EXIT_INVALID;
  }

  private String keyId() {
    try {
      return SigningKeys.keyId(SigningKeys.publicKey(publicKey)).substring(0, 16);
    } catch (KilnException e) {
      return "?";
    }
  }
}
