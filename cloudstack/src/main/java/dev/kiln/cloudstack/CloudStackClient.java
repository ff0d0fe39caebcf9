package dev.kiln.cloudstack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.kiln.api.KilnException;
import dev.kiln.api.Secret;
import dev.kiln.cloudstack.internal.Json;
import dev.kiln.cloudstack.internal.Multipart;
import dev.kiln.cloudstack.internal.RequestSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A typed client of the Apache CloudStack API (java.net.http and Jackson). Requests are POSTed
 * and signed (signature version 3 with an {@code expires} a few minutes ahead); names are
 * resolved to ids; lists are paged through; async jobs are awaited. Reads, polls and requests
 * that never reached the server are retried with back-off; writes are not (the publisher makes
 * them idempotent instead). Keys and signatures never appear in exceptions, events or
 * {@code toString()}.
 *
 * <pre>{@code
 * try (CloudStackClient cs = CloudStackClient.builder(
 *     CloudStackCredentials.fromCmkConfig(CloudStackCredentials.defaultCmkConfig(), "prod"))
 *     .build()) {
 *   Zone zone = cs.zone("zone1");
 * }
 * }</pre>
 */
public final class CloudStackClient implements AutoCloseable {
  /** How far ahead requests expire; the server refuses more than 15 minutes. */
  static final Duration EXPIRES_AHEAD = Duration.ofMinutes(5);
  private static final DateTimeFormatter EXPIRES = DateTimeFormatter.ofPattern(
      "yyyy-MM-dd'T'HH:mm:ssZ", Locale.ROOT);

  private final CloudStackCredentials credentials;
  private final HttpClient http;
  private final Duration pollInterval;
  private final Duration jobTimeout;
  private final int retries;
  private final Duration readPatience;
  private final Clock clock;
  private final int pageSize;

  private CloudStackClient(Builder b) {
    this.credentials = b.credentials;
    this.pollInterval = b.pollInterval;
    this.jobTimeout = b.jobTimeout;
    this.retries = b.retries;
    this.readPatience = b.readPatience;
    this.clock = b.clock;
    this.pageSize = b.pageSize;
    HttpClient.Builder hb = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NEVER);
    if (!credentials.verifyTls()) {
      hb.sslContext(trustAll());
    }
    this.http = hb.build();
  }

  public static Builder builder(CloudStackCredentials credentials) {
    return new Builder(credentials);
  }

  public URI endpoint() {
    return credentials.endpoint();
  }

  // ---- names and ids

  public List<Zone> listZones() throws CloudStackException, InterruptedException {
    return listAll("listZones", Map.of(), "zone").stream()
        .map(z -> new Zone(Json.text(z, "id"), Json.text(z, "name"))).toList();
  }

  /** The zone with this name or id. */
  public Zone zone(String nameOrId) throws CloudStackException, InterruptedException {
    return listZones().stream().filter(z -> z.id().equals(nameOrId) || z.name().equals(nameOrId))
        .findFirst().orElseThrow(() -> notFound("listZones", "zone", nameOrId,
            names(safeList(this::listZones), Zone::name)));
  }

  public List<OsType> listOsTypes() throws CloudStackException, InterruptedException {
    return listAll("listOsTypes", Map.of(), "ostype").stream()
        .map(o -> new OsType(Json.text(o, "id"), Json.text(o, "description"))).toList();
  }

  /** The OS type with this description (exact, then case-insensitive) or id. */
  public OsType osType(String descriptionOrId) throws CloudStackException, InterruptedException {
    List<OsType> all = listOsTypes();
    return all.stream().filter(o -> o.id().equals(descriptionOrId)
            || o.description().equals(descriptionOrId)).findFirst()
        .or(() -> all.stream().filter(o -> o.description().equalsIgnoreCase(descriptionOrId))
            .findFirst())
        .orElseThrow(() -> notFound("listOsTypes", "OS type", descriptionOrId, all.stream()
            .map(OsType::description).filter(d -> d.toLowerCase(Locale.ROOT).contains(
                descriptionOrId.toLowerCase(Locale.ROOT).split("[ (]")[0])).limit(8).toList()));
  }

  public List<ServiceOffering> listServiceOfferings() throws CloudStackException,
      InterruptedException {
    return listAll("listServiceOfferings", Map.of(), "serviceoffering").stream()
        .map(o -> new ServiceOffering(Json.text(o, "id"), Json.text(o, "name"))).toList();
  }

  public ServiceOffering serviceOffering(String nameOrId) throws CloudStackException,
      InterruptedException {
    List<ServiceOffering> all = listServiceOfferings();
    return all.stream().filter(o -> o.id().equals(nameOrId) || o.name().equals(nameOrId))
        .findFirst().orElseThrow(() -> notFound("listServiceOfferings", "service offering",
            nameOrId, all.stream().map(ServiceOffering::name).toList()));
  }

  // ---- templates

  /** Registers a template the secondary storage downloads from {@code url}; not retried. */
  public Template registerTemplate(TemplateRequest request, URI url) throws CloudStackException,
      InterruptedException {
    Map<String, String> p = new LinkedHashMap<>(request.parameters());
    p.put("url", url.toString());
    JsonNode r = execute("registerTemplate", p, false);
    List<JsonNode> rows = Json.list(r, "template");
    if (rows.isEmpty()) {
      throw malformed("registerTemplate", "no template in the response");
    }
    return template(rows.get(0));
  }

  /** Asks for a one-time upload URL for a new template; not retried. */
  public UploadParams getUploadParamsForTemplate(TemplateRequest request)
      throws CloudStackException, InterruptedException {
    JsonNode r = execute("getUploadParamsForTemplate", request.parameters(), false);
    JsonNode u = r.has("getuploadparams") ? r.get("getuploadparams") : r;
    String post = Json.text(u, "postURL");
    if (post.isEmpty()) {
      throw malformed("getUploadParamsForTemplate", "no postURL in the response");
    }
    return new UploadParams(Json.text(u, "id"), URI.create(post), Json.text(u, "metadata"),
        Json.text(u, "expires"), Json.text(u, "signature"));
  }

  /**
   * POSTs {@code file} as the one multipart part to the upload URL, with the signature headers
   * and a real Content-Length. The URL works once, so this is never retried.
   *
   * @param fileName the name CloudStack sees; its extension must match the format
   */
  public void upload(UploadParams params, Path file, String fileName, LongConsumer progress)
      throws CloudStackException, InterruptedException {
    try {
      Multipart body = Multipart.ofFile("file", fileName, file, progress);
      HttpRequest request = HttpRequest.newBuilder(params.postUrl())
          .timeout(credentials.timeout())
          .header("X-signature", params.signature())
          .header("X-metadata", params.metadata())
          .header("X-expires", params.expires())
          .header("Content-Type", body.contentType())
          .POST(body.publisher()).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new CloudStackException("upload", response.statusCode(), OptionalInt.empty(),
            OptionalInt.empty(), firstLine(response.body()) + uploadHint(params), false, null);
      }
    } catch (IOException e) {
      throw new CloudStackException("upload", 0, OptionalInt.empty(), OptionalInt.empty(),
          "transport error: " + e.getMessage() + uploadHint(params), false, e);
    }
  }

  /**
   * What an operator must fix when an upload fails: the host of the one-time URL is the
   * secondary-storage VM's public address, which the management server puts there.
   */
  private static String uploadHint(UploadParams params) {
    return " (uploading to " + params.postUrl().getHost() + ", the secondary-storage VM's "
        + "address in the upload URL: check that it is reachable from here, and the global "
        + "settings secstorage.ssl.cert.domain and use.https.to.upload)";
  }

  /** Rows of {@code listTemplates templatefilter=self}, filtered by the given parameters. */
  public List<Template> listOwnTemplates(Map<String, String> filter)
      throws CloudStackException, InterruptedException {
    Map<String, String> p = new LinkedHashMap<>(filter);
    p.put("templatefilter", "self");
    return listAll("listTemplates", p, "template").stream().map(CloudStackClient::template)
        .toList();
  }

  /** The rows (one per zone) of the template {@code id}. */
  public List<Template> templateRows(String id) throws CloudStackException,
      InterruptedException {
    return listOwnTemplates(Map.of("id", id));
  }

  /** Copies a template to more zones and waits for the job. */
  public void copyTemplate(String id, String sourceZoneId, List<String> destinationZoneIds)
      throws CloudStackException, InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("id", id);
    p.put("sourcezoneid", sourceZoneId);
    p.put("destzoneids", String.join(",", destinationZoneIds));
    awaitJob("copyTemplate", execute("copyTemplate", p, false));
  }

  /** Deletes a template (in one zone, or everywhere) and waits for the job. */
  public void deleteTemplate(String id, Optional<String> zoneId) throws CloudStackException,
      InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("id", id);
    zoneId.ifPresent(z -> p.put("zoneid", z));
    awaitJob("deleteTemplate", execute("deleteTemplate", p, false));
  }

  // ---- VMs

  /** Deploys a VM and waits for the job; the VM's password is returned for password templates. */
  public VirtualMachine deployVirtualMachine(String templateId, String zoneId,
      String serviceOfferingId, String name) throws CloudStackException, InterruptedException {
    return deployVirtualMachine(templateId, zoneId, serviceOfferingId, name, id -> { });
  }

  /**
   * Deploys a VM and waits for the job. CloudStack creates the VM record before the job runs
   * and answers its id at once; when the job fails the VM stays, in state Error, and blocks
   * deleting its template. {@code created} receives that id before the wait, so the caller can
   * expunge the VM however the job ends.
   */
  public VirtualMachine deployVirtualMachine(String templateId, String zoneId,
      String serviceOfferingId, String name, java.util.function.Consumer<String> created)
      throws CloudStackException, InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("templateid", templateId);
    p.put("zoneid", zoneId);
    p.put("serviceofferingid", serviceOfferingId);
    p.put("name", name);
    p.put("displayname", name);
    JsonNode started = execute("deployVirtualMachine", p, false);
    String id = Json.text(started, "id");
    if (!id.isEmpty()) {
      created.accept(id);
    }
    JsonNode result = awaitJob("deployVirtualMachine", started);
    return vm(result.path("virtualmachine"));
  }

  /**
   * How many routing hosts of {@code hypervisor} (CloudStack's name) are Up in the zone, or
   * empty when this account may not list hosts (only administrators may).
   */
  public OptionalInt upHosts(String zoneId, String hypervisor) throws CloudStackException,
      InterruptedException {
    try {
      return OptionalInt.of((int) listAll("listHosts", Map.of("type", "Routing", "zoneid",
          zoneId, "hypervisor", hypervisor), "host").stream()
          .filter(h -> Json.text(h, "state").equalsIgnoreCase("Up")
              && !Json.text(h, "resourcestate").matches("(?i)Maintenance|Disabled|"
              + "PrepareForMaintenance|ErrorInMaintenance"))
          .count());
    } catch (CloudStackException e) {
      if (e.httpStatus() == CloudStackException.UNAUTHORIZED
          || e.httpStatus() == CloudStackException.UNSUPPORTED_ACTION) {
        return OptionalInt.empty();
      }
      throw e;
    }
  }

  public Optional<VirtualMachine> virtualMachine(String id) throws CloudStackException,
      InterruptedException {
    return listAll("listVirtualMachines", Map.of("id", id), "virtualmachine").stream()
        .findFirst().map(CloudStackClient::vm);
  }

  public void destroyVirtualMachine(String id, boolean expunge) throws CloudStackException,
      InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("id", id);
    p.put("expunge", Boolean.toString(expunge));
    awaitJob("destroyVirtualMachine", execute("destroyVirtualMachine", p, false));
  }

  // ---- tags

  public void createTags(String resourceType, List<String> resourceIds, Map<String, String> tags)
      throws CloudStackException, InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("resourcetype", resourceType);
    p.put("resourceids", String.join(",", resourceIds));
    int i = 0;
    for (Map.Entry<String, String> t : tags.entrySet()) {
      p.put("tags[" + i + "].key", t.getKey());
      p.put("tags[" + i + "].value", t.getValue());
      i++;
    }
    awaitJob("createTags", execute("createTags", p, false));
  }

  public List<ResourceTag> listTags(String resourceType, String key, Optional<String> value)
      throws CloudStackException, InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("resourcetype", resourceType);
    p.put("key", key);
    value.ifPresent(v -> p.put("value", v));
    return listAll("listTags", p, "tag").stream().map(t -> new ResourceTag(Json.text(t, "key"),
        Json.text(t, "value"), Json.text(t, "resourceid"), Json.text(t, "resourcetype")))
        .toList();
  }

  // ---- plumbing

  /** All pages of a list command's {@code field}. Reads are retried. */
  List<JsonNode> listAll(String command, Map<String, String> params, String field)
      throws CloudStackException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    for (int page = 1; ; page++) {
      Map<String, String> p = new LinkedHashMap<>(params);
      p.put("page", Integer.toString(page));
      p.put("pagesize", Integer.toString(pageSize));
      JsonNode r = execute(command, p, true);
      List<JsonNode> rows = Json.list(r, field);
      out.addAll(rows);
      int count = r.path("count").asInt(out.size());
      if (rows.isEmpty() || out.size() >= count || rows.size() < pageSize) {
        return out;
      }
    }
  }

  /** Polls {@code queryAsyncJobResult} until the job ends; returns its {@code jobresult}. */
  JsonNode awaitJob(String command, JsonNode started) throws CloudStackException,
      InterruptedException {
    String jobId = Json.text(started, "jobid");
    if (jobId.isEmpty()) {
      return started; // some servers answer synchronously
    }
    long deadline = System.nanoTime() + jobTimeout.toNanos();
    while (true) {
      JsonNode job = execute("queryAsyncJobResult", Map.of("jobid", jobId), true);
      int status = job.path("jobstatus").asInt(0);
      if (status == 1) {
        return job.path("jobresult");
      }
      if (status == 2) {
        // the job failed, HTTP did not (it answered 200): the code is the job's, never
        // reported as an HTTP status
        JsonNode result = job.path("jobresult");
        int code = result.path("errorcode").asInt(job.path("jobresultcode").asInt(0));
        throw new CloudStackException(command, 0, code == 0 ? OptionalInt.empty()
            : OptionalInt.of(code), result.has("cserrorcode") ? OptionalInt.of(result.path(
            "cserrorcode").asInt()) : OptionalInt.empty(), Json.text(result, "errortext"),
            false, null);
      }
      if (System.nanoTime() > deadline) {
        throw new CloudStackException(command, 0, OptionalInt.empty(), OptionalInt.empty(),
            "job " + jobId + " did not finish within " + jobTimeout.toMinutes() + " min",
            true, null);
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /**
   * Sends one API command and returns the object inside its {@code …response} wrapper.
   *
   * @param retrySafe whether the command may be repeated (reads and polls)
   */
  JsonNode execute(String command, Map<String, String> params, boolean retrySafe)
      throws CloudStackException, InterruptedException {
    RetryPolicy<Object> policy = RetryPolicy.builder()
        .handleIf(e -> e instanceof CloudStackException cse && cse.isRetrySafe())
        .withBackoff(pollInterval.compareTo(Duration.ofSeconds(1)) < 0 ? pollInterval
            : Duration.ofSeconds(1), Duration.ofSeconds(20))
        // reads are repeated for as long as a management-server restart takes (30-130 s
        // observed), not for a count of attempts
        .withMaxRetries(retrySafe ? retries : 0).withMaxDuration(readPatience).build();
    try {
      return Failsafe.with(policy).get(() -> send(command, params, retrySafe));
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException ie) {
        throw ie;
      }
      if (e.getCause() instanceof CloudStackException cse) {
        throw cse;
      }
      throw new CloudStackException(command, 0, OptionalInt.empty(), OptionalInt.empty(),
          String.valueOf(e.getCause()), false, e.getCause());
    }
  }

  private JsonNode send(String command, Map<String, String> params, boolean retrySafe)
      throws CloudStackException, InterruptedException {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("command", command);
    params.forEach((k, v) -> p.put(k, v));
    p.put("response", "json");
    p.put("apikey", credentials.apiKey());
    p.put("signatureversion", "3");
    p.put("expires", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)
        .plus(EXPIRES_AHEAD).truncatedTo(ChronoUnit.SECONDS).format(EXPIRES));
    try {
      p.put("signature", RequestSigner.sign(p, credentials.secretKey().reveal()));
    } catch (KilnException e) {
      throw new CloudStackException(command, 0, OptionalInt.empty(), OptionalInt.empty(),
          "secret key unavailable: " + e.getMessage(), false, e);
    }
    HttpRequest request = HttpRequest.newBuilder(credentials.endpoint())
        .timeout(credentials.timeout())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(RequestSigner.formBody(p),
            StandardCharsets.UTF_8)).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // a request that never got an answer: reads are repeated; writes are not, since the
      // server may have acted on it (the publisher checks before it registers again)
      throw new CloudStackException(command, 0, OptionalInt.empty(), OptionalInt.empty(),
          "no response from " + credentials.endpoint() + ": " + e, retrySafe, e);
    }
    JsonNode body;
    try {
      body = Json.unwrap(Json.parse(response.body()));
    } catch (IOException e) {
      throw new CloudStackException(command, response.statusCode(), OptionalInt.empty(),
          OptionalInt.empty(), "not a CloudStack JSON answer: " + firstLine(response.body()),
          retrySafe && response.statusCode() >= 500, e);
    }
    if (response.statusCode() != 200 || body.has("errorcode")) {
      int code = body.path("errorcode").asInt(response.statusCode());
      boolean transient_ = code == CloudStackException.INTERNAL_ERROR || response.statusCode()
          == 503 || response.statusCode() == 502 || response.statusCode() == 504;
      throw new CloudStackException(command, response.statusCode(), OptionalInt.of(code),
          body.has("cserrorcode") ? OptionalInt.of(body.path("cserrorcode").asInt())
              : OptionalInt.empty(), Json.text(body, "errortext"), retrySafe && transient_,
          null);
    }
    return body;
  }

  static Template template(JsonNode t) {
    List<String> states = new ArrayList<>();
    for (JsonNode d : Json.list(t, "downloaddetails")) {
      Json.optionalText(d, "downloadState").ifPresent(states::add);
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonNode tag : Json.list(t, "tags")) {
      tags.put(Json.text(tag, "key"), Json.text(tag, "value"));
    }
    return new Template(Json.text(t, "id"), Json.text(t, "name"), Json.optionalText(t, "zoneid"),
        Json.optionalText(t, "zonename"), t.path("isready").asBoolean(false),
        Json.text(t, "status"), Json.text(t, "hypervisor"), Json.text(t, "format"),
        Json.text(t, "created"), states, tags);
  }

  static VirtualMachine vm(JsonNode v) {
    return new VirtualMachine(Json.text(v, "id"), Json.text(v, "name"), Json.text(v, "state"),
        Json.optionalText(v, "password").map(Secret::of));
  }

  private static CloudStackException notFound(String command, String what, String wanted,
      List<String> candidates) {
    return new CloudStackException(command, 0, OptionalInt.empty(), OptionalInt.empty(),
        "no " + what + " '" + wanted + "'" + (candidates.isEmpty() ? ""
            : "; there are: " + String.join(", ", candidates)), false, null);
  }

  private static CloudStackException malformed(String command, String why) {
    return new CloudStackException(command, 200, OptionalInt.empty(), OptionalInt.empty(),
        why, false, null);
  }

  private interface ListCall<T> {
    List<T> get() throws CloudStackException, InterruptedException;
  }

  private static <T> List<T> safeList(ListCall<T> call) {
    try {
      return call.get();
    } catch (CloudStackException | InterruptedException e) {
      return List.of();
    }
  }

  private static <T> List<String> names(List<T> items, java.util.function.Function<T, String> f) {
    return items.stream().map(f).toList();
  }

  private static String firstLine(String s) {
    String line = s == null ? "" : s.lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  private static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    // java.net.http.HttpClient in Java 17 has no close; its threads end with their idle pool
  }

  @Override
  public String toString() {
    return "CloudStackClient[" + credentials.endpoint() + "]";
  }

  /** Builder for {@link CloudStackClient}. */
  public static final class Builder {
    private final CloudStackCredentials credentials;
    private Duration pollInterval = Duration.ofSeconds(5);
    private Duration jobTimeout = Duration.ofMinutes(30);
    private int retries = -1;
    private Duration readPatience = Duration.ofMinutes(3);
    private Clock clock = Clock.systemUTC();
    private int pageSize = 500;

    private Builder(CloudStackCredentials credentials) {
      this.credentials = java.util.Objects.requireNonNull(credentials);
    }

    /** Between polls of async jobs and of template readiness; 5 s by default. */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = interval;
      return this;
    }

    public Builder jobTimeout(Duration timeout) {
      this.jobTimeout = timeout;
      return this;
    }

    /**
     * Retries of reads, polls and unanswered requests; by default as many as fit in
     * {@link #readPatience(Duration)}; 0 for none. Writes are never retried.
     */
    public Builder retries(int retries) {
      this.retries = retries;
      return this;
    }

    /**
     * How long reads, polls and unanswered requests are retried (with back-off up to 20 s
     * apart) before the error is reported; 3 minutes by default, longer than a management
     * server's restart.
     */
    public Builder readPatience(Duration patience) {
      if (patience.isNegative()) {
        throw new IllegalArgumentException("negative patience: " + patience);
      }
      this.readPatience = patience;
      return this;
    }

    /** Rows per page of list commands; 500 by default. */
    public Builder pageSize(int pageSize) {
      if (pageSize < 1) {
        throw new IllegalArgumentException("page size must be positive");
      }
      this.pageSize = pageSize;
      return this;
    }

    /** The clock {@code expires} is computed from (tests). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public CloudStackClient build() {
      return new CloudStackClient(this);
    }
  }
}
