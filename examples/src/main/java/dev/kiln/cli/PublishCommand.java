package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.cloudstack.CloudStackClient;
import dev.kiln.cloudstack.CloudStackPublisher;
import dev.kiln.spi.Publisher;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln publish}: registers artifacts as CloudStack templates. */
@Command(name = "publish", description = {"Register disk images as CloudStack templates, one "
    + "per artifact: by URL from Kiln's own artifact server (--serve-from) or by upload "
    + "(--upload); wait until ready in every zone; optionally smoke-test with a VM (and delete "
    + "the template again when that fails) and keep only the newest N versions.",
    "The hypervisor follows the file: .qcow2/.raw KVM, .vhd/.vhd.bz2 XenServer, .vhd.zip and "
        + ".vhdx Hyper-V, .ova VMware."})
final class PublishCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ARTIFACT", arity = "1..*")
  List<Path> artifacts;

  @Mixin
  CloudStackOptions cloud;

  @Option(names = "--zone", paramLabel = "Z", description = "Zone name or id; repeat for more "
      + "(default: every zone).")
  List<String> zones = new ArrayList<>();

  @Option(names = "--os-type", paramLabel = "DESCRIPTION", required = true,
      description = "CloudStack OS type, e.g. \"Debian GNU/Linux 12 (64-bit)\".")
  String osType;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(names = "--serve-from", paramLabel = "http://ADDR:PORT", description = "Serve the "
        + "artifacts from this address (reachable by the secondary storage VM) and register "
        + "by URL.")
    URI serveFrom;

    @Option(names = "--upload", description = "Upload through getUploadParamsForTemplate.")
    boolean upload;
  }

  @Option(names = "--smoke-offering", paramLabel = "O", description = "Deploy a VM with this "
      + "service offering; delete the template if it does not reach Running.")
  String smokeOffering;

  @Option(names = "--keep", paramLabel = "N", description = "Keep the newest N templates of "
      + "the family, delete older ones.")
  Integer keep;

  @Option(names = "--family", paramLabel = "NAME", description = "Template family: OS, version "
      + "and arch, e.g. debian-12-x86_64 (default: the first artifact's name without "
      + "extensions).")
  String family;

  @Option(names = "--version", paramLabel = "V", description = "This build's version (default: "
      + "the UTC time, yyyyMMdd.HHmm).")
  String version;

  @Option(names = "--build-id", paramLabel = "ID", description = "Recorded in the templates' "
      + "tags (default: the version).")
  String buildId;

  @Option(names = "--ready-timeout", paramLabel = "MINUTES", defaultValue = "120",
      description = "How long to wait for each template to be ready in every zone "
      + "(default: ${DEFAULT-VALUE}).")
  long readyMinutes;

  @Option(names = "--advertise-host", paramLabel = "HOST", description = "Host name in the "
      + "URLs given to CloudStack, when it differs from the --serve-from address.")
  String advertiseHost;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "json: the publisher's events and the templates as JSON lines on standard "
          + "output (schema in docs/events.schema.json).")
  BuildCommand.OutputMode output;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean json = output == BuildCommand.OutputMode.JSON;
    JsonLines lines = new JsonLines(out);
    try {
      List<Publisher.Artifact> list = new ArrayList<>();
      for (Path a : artifacts) {
        list.add(artifact(a));
      }
      String v = version != null ? version : ZonedDateTime.now(ZoneOffset.UTC).format(
          DateTimeFormatter.ofPattern("yyyyMMdd.HHmm", Locale.ROOT));
      String fam = family != null ? family : ArtifactNames.baseName(artifacts.get(0));
      PublishTarget target = new PublishTarget(cloud.profile, zones, osType,
          mode.upload ? PublishTarget.Mode.UPLOAD : PublishTarget.Mode.URL,
          Optional.ofNullable(mode.serveFrom), Optional.ofNullable(smokeOffering),
          keep == null ? OptionalInt.empty() : OptionalInt.of(keep));
      EventHandlers events = json ? lines.handlers() : EventHandlers.builder()
          .add(KilnEvent.Warning.class, w -> err.println("kiln publish: " + w.message()))
          .add(KilnEvent.ByteProgress.class, p -> {
            if (p.task().startsWith("template ") && (p.done() == 100 || p.done() == 0)) {
              out.println("  " + p.task() + ": " + (p.done() == 100 ? "ready" : "waiting"));
            }
          }).build();
      try (CloudStackClient client = cloud.client()) {
        CloudStackPublisher.Builder b = CloudStackPublisher.builder(client, fam, v)
            .pollInterval(cloud.pollInterval()).readyTimeout(Duration.ofMinutes(
                Math.max(1, readyMinutes)));
        if (advertiseHost != null) {
          b.advertisedHost(advertiseHost);
        }
        if (!json) {
          out.println("Publishing " + list.size() + " artifact(s) to " + client.endpoint()
              + " as " + fam + "-*-" + v);
        }
        List<PublishedTemplate> published = b.build().publish(
            buildId != null ? buildId : v, list, target, events);
        if (json) {
          List<java.util.Map<String, String>> templates = published.stream().map(t ->
              java.util.Map.of("name", t.name(), "id", t.id(), "hypervisor", t.hypervisor(),
                  "zone", t.zone())).toList();
          lines.result(0, java.util.Map.of("templates", templates));
        } else {
          for (PublishedTemplate t : published) {
            out.printf(Locale.ROOT, "%-45s %-36s %-10s %s%n", t.name(), t.id(),
                t.hypervisor(), t.zone());
          }
        }
      }
      return 0;
    } catch (KilnException | IllegalArgumentException e) {
      return failed(json, lines, err, e.getMessage());
    } catch (IOException e) {
      return failed(json, lines, err, IoErrors.sentence(e));
    }
  }

  private static int failed(boolean json, JsonLines lines, PrintWriter err, String sentence) {
    err.println("kiln publish: " + sentence);
    if (json) {
      lines.result(KilnCli.EXIT_INVALID, java.util.Map.of("error", sentence));
    }
    return KilnCli.EXIT_INVALID;
  }

  private static Publisher.Artifact artifact(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such artifact: " + file);
    }
    return new Publisher.Artifact(file, ArtifactNames.specOf(file), Files.size(file),
        dev.kiln.formats.pack.Packager.checksum(file));
  }
}
