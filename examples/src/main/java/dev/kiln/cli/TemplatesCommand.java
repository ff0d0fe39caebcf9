package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.cloudstack.CloudStackClient;
import dev.kiln.cloudstack.CloudStackPublisher;
import dev.kiln.cloudstack.ResourceTag;
import dev.kiln.cloudstack.Template;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln templates}: the templates Kiln published. */
@Command(name = "templates", description = "List or prune the templates Kiln published (those "
    + "tagged kiln-family).", subcommands = {TemplatesCommand.ListTemplates.class,
        TemplatesCommand.Prune.class})
final class TemplatesCommand {
  @Command(name = "list", description = "List Kiln's templates (--all: every template of this "
      + "account), one line per zone, filtered by family, zone, hypervisor and state.")
  static final class ListTemplates implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CloudStackOptions cloud;

    @Option(names = "--family", paramLabel = "F", description = "Only this family, e.g. "
        + "debian-12-x86_64-kvm.")
    String family;

    @Option(names = "--all", description = "Every template of this account, not only those "
        + "Kiln published (tagged kiln-family).")
    boolean all;

    @Option(names = "--zone", paramLabel = "NAME", description = "Only rows in this zone.")
    String zone;

    @Option(names = "--hypervisor", paramLabel = "H", description = "Only templates for this "
        + "hypervisor (KVM, XenServer, VMware, Hyperv; any case).")
    String hypervisor;

    @Option(names = "--state", paramLabel = "ready|pending|failed", description = "Only rows "
        + "that are ready, still downloading or uploading, or failed.")
    String state;

    @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
        description = "json: one template line per template and zone, then the count "
            + "(schema in docs/events.schema.json).")
    BuildCommand.OutputMode output;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      boolean json = output == BuildCommand.OutputMode.JSON;
      JsonLines lines = new JsonLines(out);
      try (CloudStackClient client = cloud.client()) {
        if (state != null && !List.of("ready", "pending", "failed").contains(state)) {
          throw new KilnException("--state must be ready, pending or failed, not " + state);
        }
        List<Template> rows = (all ? client.listOwnTemplates(java.util.Map.of()).stream()
            .filter(t -> family == null || t.name().startsWith(family)).sorted(
                java.util.Comparator.comparing(Template::name).thenComparing(t -> t.zoneName()
                    .orElse(""))).toList() : kilnTemplates(client, family)).stream()
            .filter(t -> zone == null || zone.equals(t.zoneName().orElse(null)))
            .filter(t -> hypervisor == null || hypervisor.equalsIgnoreCase(t.hypervisor()))
            .filter(t -> state == null || state.equals(t.failed() ? "failed" : t.ready()
                ? "ready" : "pending")).toList();
        if (json) {
          for (Template t : rows) {
            java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
            f.put("name", t.name());
            f.put("id", t.id());
            f.put("zone", t.zoneName().orElse(""));
            f.put("ready", t.ready());
            f.put("status", t.status());
            f.put("hypervisor", t.hypervisor());
            f.put("format", t.format());
            lines.line("template", f);
          }
          lines.result(0, java.util.Map.of("count", rows.size()));
          return 0;
        }
        // columns as wide as their longest value: a zone name is often longer than 8
        int name = Math.max(4, rows.stream().mapToInt(t -> t.name().length()).max().orElse(0));
        int zone = Math.max(4, rows.stream().mapToInt(t -> t.zoneName().orElse("-").length())
            .max().orElse(0));
        String row = "%-" + name + "s %-36s %-" + zone + "s %-5s %s%n";
        out.printf(Locale.ROOT, row, "NAME", "ID", "ZONE", "READY", "STATUS");
        for (Template t : rows) {
          out.printf(Locale.ROOT, row, t.name(), t.id(), t.zoneName().orElse("-"),
              t.ready() ? "yes" : "no", t.status());
        }
        return 0;
      } catch (KilnException e) {
        spec.commandLine().getErr().println("kiln templates list: " + e.getMessage());
        if (json) {
          lines.result(KilnCli.EXIT_INVALID, java.util.Map.of("error", e.getMessage()));
        }
        return KilnCli.EXIT_INVALID;
      }
    }
  }

  @Command(name = "prune", description = "Keep the newest N templates of each family, delete "
      + "the rest.")
  static final class Prune implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CloudStackOptions cloud;

    @Option(names = "--keep", paramLabel = "N", required = true)
    int keep;

    @Option(names = "--family", paramLabel = "F", description = "Only this family (default: "
        + "every Kiln family).")
    String family;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (CloudStackClient client = cloud.client()) {
        Set<String> families = new LinkedHashSet<>();
        if (family != null) {
          families.add(family);
        } else {
          client.listTags("Template", CloudStackPublisher.TAG_FAMILY, Optional.empty())
              .forEach(t -> families.add(t.value()));
        }
        CloudStackPublisher pruner = CloudStackPublisher.builder(client, "kiln", "prune")
            .pollInterval(cloud.pollInterval()).build();
        int deleted = 0;
        for (String f : families) {
          List<String> ids = pruner.prune(f, keep, Optional.empty(), "prune",
              EventHandlers.builder().add(dev.kiln.api.event.KilnEvent.Warning.class,
                  w -> out.println(w.message())).build());
          deleted += ids.size();
        }
        out.println(deleted + " template(s) deleted");
        return 0;
      } catch (KilnException | IllegalArgumentException e) {
        spec.commandLine().getErr().println("kiln templates prune: " + e.getMessage());
        return KilnCli.EXIT_INVALID;
      }
    }
  }

  /** Every row of every template carrying Kiln's family tag (optionally one family). */
  static List<Template> kilnTemplates(CloudStackClient client, String family)
      throws KilnException, InterruptedException {
    List<Template> rows = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (ResourceTag t : client.listTags("Template", CloudStackPublisher.TAG_FAMILY,
        Optional.ofNullable(family))) {
      if (ids.add(t.resourceId())) {
        rows.addAll(client.templateRows(t.resourceId()));
      }
    }
    rows.sort(java.util.Comparator.comparing(Template::name).thenComparing(t -> t.zoneName()
        .orElse("")));
    return rows;
  }

}
