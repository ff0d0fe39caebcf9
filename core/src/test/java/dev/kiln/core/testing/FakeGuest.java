package dev.kiln.core.testing;

import dev.kiln.api.CommunicatorException;
import dev.kiln.spi.Communicator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A guest connection for the pipeline's unit tests: every command succeeds except one that
 * contains {@link #failOn}; commands, forwards and the close go to the shared log.
 */
public final class FakeGuest implements Communicator {
  final List<String> log;
  public final List<String> commands = new java.util.concurrent.CopyOnWriteArrayList<>();
  public Optional<String> failOn = Optional.empty();
  /** The standard output of a command, when it answers one (else the default below). */
  public java.util.function.Function<String, Optional<String>> responder = c -> Optional.empty();
  public boolean closed;

  public FakeGuest(List<String> log) {
    this.log = log;
  }

  @Override
  public ExecResult exec(ExecRequest request) {
    commands.add(request.command());
    boolean fail = failOn.isPresent() && request.command().contains(failOn.get());
    String out = responder.apply(request.command()).orElse(request.command().contains("--check")
        ? "kiln-generalize: survived: /home/kiln-build\n" : "");
    return new ExecResult(fail ? 1 : 0, out, fail ? "fake failure\n" : "", Duration.ZERO);
  }

  @Override
  public void execExpectingDisconnect(ExecRequest request) {
    commands.add(request.command());
  }

  @Override
  public void forwardRemote(int guestPort, int hostPort) {
    log.add("forward " + guestPort);
  }

  @Override
  public void upload(Path local, String remotePath) {
    commands.add("upload " + remotePath);
  }

  @Override
  public void download(String remotePath, Path local) throws CommunicatorException {
    try {
      if (remotePath.endsWith("kiln-inventory.tsv")) { // what dpkg-query writes in a guest
        Files.writeString(local, "deb\tbase-files\t12.4+deb12u5\tamd64\tbase-files\t"
            + "12.4+deb12u5\t\ndeb\topenssh-server\t1:9.2p1-2+deb12u3\tamd64\topenssh\t"
            + "1:9.2p1-2+deb12u3\t\n");
      } else {
        Files.writeString(local, "base-files 12.4\nopenssh-server 1:9.2p1-2\n");
      }
    } catch (IOException e) {
      throw new CommunicatorException(e.getMessage(), e);
    }
  }

  @Override
  public void awaitReconnect(Duration timeout) {}

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      log.add("close connection");
    }
  }
}
