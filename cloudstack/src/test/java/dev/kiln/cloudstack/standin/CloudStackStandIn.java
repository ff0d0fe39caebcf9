package dev.kiln.cloudstack.standin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An in-process <b>stand-in</b> for an Apache CloudStack 4.22 management server, for tests
 * where no real one can run (the real {@code apache/cloudstack-simulator} needs Docker). It is
 * not the real server: it implements only the commands Kiln uses, shaped like 4.22's JSON
 * answers and error bodies, and simulates the secondary storage.
 *
 * <p>What it enforces as the server does: the signature (recomputed here independently of
 * Kiln's signer, following the server's {@code ApiServer.verifyRequest}: parameter names sorted
 * as sent, values URL-encoded with {@code +} as {@code %20}, lower-cased, HMAC-SHA1, Base64),
 * POST, {@code signatureversion=3} with {@code expires} no more than 15 minutes ahead, error
 * bodies with HTTP status = {@code errorcode}, async jobs through {@code queryAsyncJobResult},
 * URL extensions matching the format, and the one-time upload URL with its headers and a real
 * Content-Length. Secondary storage really downloads registered URLs (or receives the upload)
 * and checks the {@code {SHA-256}} checksum; readiness then advances one step per
 * {@code listTemplates} poll. Failures can be injected per command.
 *
 * <p>Behaviours of a real 4.22 server that it reproduces because Kiln must cope with them: a
 * template whose hypervisor has no host in a zone is accepted but never listed there;
 * {@code listHosts} lists each zone's routing hosts; a failed {@code deployVirtualMachine}
 * job has already created the VM (its id is in the synchronous answer) and leaves it in state
 * Error, and {@code deleteTemplate} is refused while a VM record uses the template; the
 * template {@code getUploadParamsForTemplate} creates exists (state "Not uploaded") whether or
 * not the upload ever comes.
 */
public final class CloudStackStandIn implements AutoCloseable {
  public static final String API_KEY = "standin-api-key-" + "0123456789";
  public static final String SECRET_KEY = "standin-secret-key-abcdefghijklmnopqrstuvwxyz";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern(
      "yyyy-MM-dd'T'HH:mm:ssZ", Locale.ROOT);
  private static final Set<String> FORMATS = Set.of("QCOW2", "VHD", "VHDX", "OVA", "RAW");

  /** A zone's copy of a template. */
  static final class Row {
    final String zoneId;
    volatile String status = "0% Downloaded";
    volatile String downloadState = "DOWNLOAD_IN_PROGRESS";
    volatile boolean ready;
    volatile boolean received;
    volatile int stepsLeft;

    Row(String zoneId, int steps) {
      this.zoneId = zoneId;
      this.stepsLeft = steps;
    }
  }

  /** A template: its rows per zone. */
  static final class Tpl {
    final String id = UUID.randomUUID().toString();
    final Map<String, String> params;
    final String created;
    final Map<String, Row> rows = new ConcurrentHashMap<>();

    Tpl(Map<String, String> params, String created) {
      this.params = params;
      this.created = created;
    }
  }

  record Tag(String key, String value, String resourceId, String resourceType) {}

  record Upload(String templateId, String metadata, String expires, String signature) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cloudstack-standin");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient downloader = HttpClient.newHttpClient();
  private final Map<String, String> zones = new LinkedHashMap<>();
  private final Map<String, String> osTypes = new LinkedHashMap<>();
  private final Map<String, String> offerings = new LinkedHashMap<>();
  /** Hypervisors with an Up routing host, per zone id. */
  private final Map<String, Set<String>> hostsByZone = new ConcurrentHashMap<>();
  private final AtomicInteger uploadFailures = new AtomicInteger();
  final Map<String, Tpl> templates = new ConcurrentHashMap<>();
  final List<Tag> tags = new CopyOnWriteArrayList<>();
  final Map<String, ObjectNode> vms = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> jobs = new ConcurrentHashMap<>();
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final Map<String, Integer> failureCodes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> drops = new ConcurrentHashMap<>();
  /** Commands received, in order, with their parameters (secrets removed). */
  public final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  private volatile int readinessSteps = 3;
  private volatile boolean smokeDeployFails;
  private volatile String createdClock;
  private final AtomicInteger createdSeq = new AtomicInteger();

  private CloudStackStandIn(HttpServer server) {
    this.server = server;
    zones.put(UUID.randomUUID().toString(), "zone1");
    zones.put(UUID.randomUUID().toString(), "zone2");
    osTypes.put(UUID.randomUUID().toString(), "Debian GNU/Linux 12 (64-bit)");
    osTypes.put(UUID.randomUUID().toString(), "Ubuntu 24.04 LTS");
    osTypes.put(UUID.randomUUID().toString(), "Other Linux (64-bit)");
    offerings.put(UUID.randomUUID().toString(), "Small Instance");
    offerings.put(UUID.randomUUID().toString(), "Medium Instance");
    for (String zone : zones.keySet()) {
      hostsByZone.put(zone, ConcurrentHashMap.newKeySet());
      hostsByZone.get(zone).addAll(List.of("KVM", "XenServer", "VMware", "Hyperv"));
    }
  }

  /** No zone has a host of {@code hypervisor} (CloudStack's name, e.g. {@code XenServer}). */
  public CloudStackStandIn withoutHostsOf(String hypervisor) {
    hostsByZone.values().forEach(h -> h.remove(hypervisor));
    return this;
  }

  /** The next {@code times} uploads are cut off after the headers (the connection closes). */
  public CloudStackStandIn failUploads(int times) {
    uploadFailures.set(times);
    return this;
  }

  /** The VMs that exist (in any state), as {@code id → state}. */
  public Map<String, String> vmStates() {
    Map<String, String> out = new LinkedHashMap<>();
    vms.values().forEach(v -> out.put(v.path("id").asText(), v.path("state").asText()));
    return out;
  }

  public static CloudStackStandIn start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 50);
    CloudStackStandIn s = new CloudStackStandIn(server);
    server.setExecutor(s.executor);
    server.createContext("/client/api", s::api);
    server.createContext("/upload/", s::upload);
    server.start();
    return s;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/client/api");
  }

  /** Polls of listTemplates a zone's copy needs after its file arrived before it is ready. */
  public CloudStackStandIn readinessSteps(int steps) {
    this.readinessSteps = steps;
    return this;
  }

  /** The next {@code times} calls of {@code command} fail with {@code errorcode}. */
  public CloudStackStandIn failNext(String command, int errorcode, int times) {
    failures.put(command.toLowerCase(Locale.ROOT), new AtomicInteger(times));
    failureCodes.put(command.toLowerCase(Locale.ROOT), errorcode);
    return this;
  }

  /** The next {@code times} calls of {@code command} get no answer (connection closed). */
  public CloudStackStandIn dropNext(String command, int times) {
    drops.put(command.toLowerCase(Locale.ROOT), new AtomicInteger(times));
    return this;
  }

  /** Deploying a VM fails (as when the template does not boot or no host has capacity). */
  public CloudStackStandIn smokeDeployFails(boolean fails) {
    this.smokeDeployFails = fails;
    return this;
  }

  public String zoneId(String name) {
    return zones.entrySet().stream().filter(e -> e.getValue().equals(name)).findFirst()
        .orElseThrow().getKey();
  }

  /** How many times {@code command} was received. */
  public long count(String command) {
    return requests.stream().filter(r -> command.equalsIgnoreCase(r.get("command"))).count();
  }

  /** Template names currently registered. */
  public List<String> templateNames() {
    return templates.values().stream().map(t -> t.params.get("name")).sorted().toList();
  }

  // ---- API endpoint

  private void api(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("POST")) {
        error(ex, "unknown", 405, 405, "Kiln's stand-in accepts POST only");
        return;
      }
      Map<String, String> p = parseForm(new String(ex.getRequestBody().readAllBytes(),
          StandardCharsets.UTF_8));
      String command = p.getOrDefault("command", "");
      String lower = command.toLowerCase(Locale.ROOT);
      Map<String, String> logged = new LinkedHashMap<>(p);
      logged.remove("signature");
      logged.remove("apikey");
      requests.add(logged);
      String authProblem = verify(p);
      if (authProblem != null) {
        error(ex, lower, 401, 401, "unable to verify user credentials and/or request signature"
            + " (" + authProblem + ")");
        return;
      }
      AtomicInteger drop = drops.get(lower);
      if (drop != null && drop.getAndDecrement() > 0) {
        return; // closed without an answer: the client sees a transport failure
      }
      AtomicInteger fail = failures.get(lower);
      if (fail != null && fail.getAndDecrement() > 0) {
        int code = failureCodes.get(lower);
        error(ex, lower, code, code, "injected failure " + code);
        return;
      }
      ObjectNode body;
      try {
        body = paginate(dispatch(lower, p), p);
      } catch (ApiError e) {
        error(ex, lower, e.code, e.code, e.getMessage());
        return;
      }
      ObjectNode root = JSON.createObjectNode();
      root.set(lower + "response", body);
      send(ex, 200, JSON.writeValueAsBytes(root));
    }
  }

  /** The server's checks; null when the request passes. */
  private String verify(Map<String, String> p) {
    if (!API_KEY.equals(p.get("apikey"))) {
      return "unknown apikey";
    }
    String signature = p.get("signature");
    if (signature == null) {
      return "no signature";
    }
    if (!"3".equals(p.get("signatureversion"))) {
      return "signatureversion must be 3";
    }
    String expires = p.get("expires");
    if (expires == null) {
      return "no expires";
    }
    try {
      OffsetDateTime at = OffsetDateTime.parse(expires, DateTimeFormatter.ofPattern(
          "yyyy-MM-dd'T'HH:mm:ssZ", Locale.ROOT));
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      if (at.isBefore(now)) {
        return "request expired";
      }
      if (at.isAfter(now.plusMinutes(15))) {
        return "expires more than 15 minutes ahead";
      }
    } catch (DateTimeParseException e) {
      return "expires is not ISO-8601 with an offset";
    }
    String[] names = p.keySet().toArray(new String[0]);
    Arrays.sort(names);
    StringBuilder unsigned = new StringBuilder();
    for (String name : names) {
      if (name.equalsIgnoreCase("signature")) {
        continue;
      }
      if (unsigned.length() > 0) {
        unsigned.append('&');
      }
      unsigned.append(name).append('=').append(URLEncoder.encode(p.get(name),
          StandardCharsets.UTF_8).replaceAll("\\+", "%20"));
    }
    String computed = hmac(SECRET_KEY, unsigned.toString().toLowerCase(Locale.ROOT));
    return computed.equals(signature) ? null : "signature mismatch";
  }

  static String hmac(String key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(
          StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CloudStack API error (the HTTP status equals the code). */
  static final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    ApiError(int code, String text) {
      super(text);
      this.code = code;
    }
  }

  private ObjectNode dispatch(String command, Map<String, String> p) throws ApiError {
    switch (command) {
      case "listzones":
        return list("zone", zones.entrySet().stream().map(e -> obj("id", e.getKey(), "name",
            e.getValue())).toList());
      case "listostypes":
        return list("ostype", osTypes.entrySet().stream().map(e -> obj("id", e.getKey(),
            "description", e.getValue())).toList());
      case "listserviceofferings":
        return list("serviceoffering", offerings.entrySet().stream().map(e -> obj("id",
            e.getKey(), "name", e.getValue())).toList());
      case "registertemplate":
        return registerTemplate(p);
      case "getuploadparamsfortemplate":
        return uploadParams(p);
      case "listtemplates":
        return listTemplates(p);
      case "copytemplate":
        return copyTemplate(p);
      case "deletetemplate":
        return deleteTemplate(p);
      case "createtags":
        return createTags(p);
      case "listtags":
        return list("tag", tags.stream().filter(t -> match(p, "resourcetype", t.resourceType())
            && match(p, "key", t.key()) && match(p, "value", t.value()))
            .map(t -> obj("key", t.key(), "value", t.value(), "resourceid", t.resourceId(),
                "resourcetype", t.resourceType())).toList());
      case "deployvirtualmachine":
        return deploy(p);
      case "listhosts":
        return listHosts(p);
      case "listvirtualmachines":
        return list("virtualmachine", vms.values().stream().filter(v -> match(p, "id",
            v.path("id").asText())).map(v -> (ObjectNode) v.deepCopy().without("password"))
            .toList());
      case "destroyvirtualmachine":
        require(p, "id");
        if (vms.remove(p.get("id")) == null) {
          throw new ApiError(431, "Unable to execute API command destroyvirtualmachine due to "
              + "invalid value. Invalid parameter id value=" + p.get("id"));
        }
        return job(obj("success", "true"), null);
      case "queryasyncjobresult":
        return queryJob(p);
      default:
        throw new ApiError(432, "The given command:" + command + " does not exist or it is not "
            + "available for the user");
    }
  }

  /** Applies {@code page}/{@code pagesize} to a list answer, keeping the total count. */
  private static ObjectNode paginate(ObjectNode body, Map<String, String> p) {
    if (!p.containsKey("pagesize") || !body.has("count")) {
      return body;
    }
    int size = Integer.parseInt(p.get("pagesize"));
    int page = Integer.parseInt(p.getOrDefault("page", "1"));
    java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it =
        body.fields();
    while (it.hasNext()) {
      Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
      if (e.getValue().isArray()) {
        ArrayNode all = (ArrayNode) e.getValue();
        ArrayNode slice = JSON.createArrayNode();
        for (int i = (page - 1) * size; i < Math.min(all.size(), page * size); i++) {
          slice.add(all.get(i));
        }
        e.setValue(slice);
      }
    }
    return body;
  }

  private static boolean match(Map<String, String> p, String key, String actual) {
    return !p.containsKey(key) || p.get(key).equalsIgnoreCase(actual);
  }

  private static void require(Map<String, String> p, String... names) throws ApiError {
    for (String n : names) {
      if (p.getOrDefault(n, "").isEmpty()) {
        throw new ApiError(431, "Unable to execute API command due to missing parameter " + n);
      }
    }
  }

  private Tpl newTemplate(Map<String, String> p) throws ApiError {
    require(p, "name", "displaytext", "format", "hypervisor", "ostypeid");
    if (!FORMATS.contains(p.get("format").toUpperCase(Locale.ROOT))) {
      throw new ApiError(431, "Format " + p.get("format") + " is not supported");
    }
    if (!osTypes.containsKey(p.get("ostypeid"))) {
      throw new ApiError(431, "Unable to find the OS type " + p.get("ostypeid"));
    }
    String zone = p.getOrDefault("zoneid", p.getOrDefault("zoneids", ""));
    if (!zone.equals("-1") && !zones.containsKey(zone)) {
      throw new ApiError(431, "Please specify a valid zone");
    }
    if (p.containsKey("checksum") && !p.get("checksum").matches("\\{SHA-256\\}[0-9a-f]{64}")) {
      throw new ApiError(431, "Checksum " + p.get("checksum") + " is not a valid checksum");
    }
    String created = (createdClock != null ? createdClock
        : OffsetDateTime.now(ZoneOffset.UTC).format(CREATED));
    // creation order must be visible even within one second
    Tpl t = new Tpl(Map.copyOf(p), created.replace("+0000", "") + String.format(Locale.ROOT,
        ".%03d+0000", createdSeq.incrementAndGet()));
    for (String z : zone.equals("-1") ? zones.keySet() : List.of(zone)) {
      t.rows.put(z, new Row(z, readinessSteps));
    }
    templates.put(t.id, t);
    return t;
  }

  private ObjectNode registerTemplate(Map<String, String> p) throws ApiError {
    require(p, "url");
    String url = p.get("url");
    String ext = p.get("format").toLowerCase(Locale.ROOT);
    if (!url.matches("https?://.+\\." + ext + "(\\.(bz2|gz|zip|xz))?")) {
      throw new ApiError(431, "Please specify a valid URL. URL:" + url + " is an invalid for "
          + "the format " + ext.toLowerCase(Locale.ROOT));
    }
    Tpl t = newTemplate(p);
    executor.submit(() -> download(t, url));
    ObjectNode r = JSON.createObjectNode();
    r.put("count", 1);
    ArrayNode a = r.putArray("template");
    t.rows.values().forEach(row -> a.add(row(t, row)));
    return r;
  }

  /** What the secondary storage VM does: fetch, then verify the checksum. */
  private void download(Tpl t, String url) {
    try {
      HttpResponse<byte[]> r = downloader.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        fail(t, "Failed to download the template: HTTP " + r.statusCode());
        return;
      }
      received(t, r.body());
    } catch (IOException | InterruptedException e) {
      fail(t, "Failed to download the template: " + e.getMessage());
    }
  }

  private void received(Tpl t, byte[] content) {
    String expected = t.params.get("checksum");
    if (expected != null) {
      try {
        String actual = "{SHA-256}" + HexFormat.of().formatHex(MessageDigest.getInstance(
            "SHA-256").digest(content));
        if (!actual.equals(expected)) {
          fail(t, "Failed post download script: checksum \"" + actual + "\" didn't match the "
              + "given value, \"" + expected + "\"");
          return;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    t.rows.values().forEach(r -> r.received = true);
  }

  private static void fail(Tpl t, String status) {
    t.rows.values().forEach(r -> {
      r.status = status;
      r.downloadState = "DOWNLOAD_ERROR";
    });
  }

  private ObjectNode uploadParams(Map<String, String> p) throws ApiError {
    Tpl t = newTemplate(p);
    t.rows.values().forEach(r -> {
      r.status = "Not uploaded";
      r.downloadState = "NOT_UPLOADED";
    });
    String token = UUID.randomUUID().toString();
    String expires = OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).format(CREATED);
    String metadata = Base64.getEncoder().encodeToString(("template:" + t.id)
        .getBytes(StandardCharsets.UTF_8));
    String signature = hmac(SECRET_KEY, token + metadata + expires);
    uploads.put(token, new Upload(t.id, metadata, expires, signature));
    ObjectNode u = obj("id", t.id, "postURL", "http://127.0.0.1:" + server.getAddress()
        .getPort() + "/upload/" + token, "metadata", metadata, "expires", expires,
        "signature", signature);
    ObjectNode r = JSON.createObjectNode();
    r.set("getuploadparams", u);
    return r;
  }

  private ObjectNode listHosts(Map<String, String> p) {
    List<ObjectNode> hosts = new ArrayList<>();
    hostsByZone.forEach((zone, hypervisors) -> hypervisors.forEach(h -> {
      if (match(p, "zoneid", zone) && match(p, "hypervisor", h) && match(p, "type", "Routing")) {
        hosts.add(obj("id", UUID.nameUUIDFromBytes((zone + h).getBytes(StandardCharsets.UTF_8))
            .toString(), "name", h.toLowerCase(Locale.ROOT) + "-host-" + zones.get(zone),
            "type", "Routing", "hypervisor", h, "zoneid", zone, "state", "Up",
            "resourcestate", "Enabled"));
      }
    }));
    return list("host", hosts);
  }

  private ObjectNode listTemplates(Map<String, String> p) throws ApiError {
    require(p, "templatefilter");
    List<ObjectNode> rows = new ArrayList<>();
    for (Tpl t : templates.values()) {
      if (!match(p, "id", t.id) || (p.containsKey("name") && !t.params.get("name").equals(
          p.get("name")))) {
        continue;
      }
      for (Row r : t.rows.values()) {
        if (!match(p, "zoneid", r.zoneId) || !hostsByZone.getOrDefault(r.zoneId, Set.of())
            .contains(t.params.get("hypervisor"))) {
          continue; // the real server hides templates no host in the zone could run
        }
        advance(r);
        rows.add(row(t, r));
      }
    }
    return list("template", rows);
  }

  /** One poll's worth of secondary-storage progress. */
  private static void advance(Row r) {
    if (!r.received || r.ready || r.downloadState.equals("DOWNLOAD_ERROR")) {
      return;
    }
    if (r.stepsLeft > 1) {
      r.stepsLeft--;
      r.status = (100 - r.stepsLeft * 20 < 0 ? 10 : 100 - r.stepsLeft * 20) + "% Downloaded";
    } else if (r.stepsLeft == 1) {
      r.stepsLeft--;
      r.status = "Installing Template";
    } else {
      r.status = "Download Complete";
      r.downloadState = "DOWNLOADED";
      r.ready = true;
    }
  }

  private ObjectNode row(Tpl t, Row r) {
    ObjectNode o = obj("id", t.id, "name", t.params.get("name"), "displaytext",
        t.params.get("displaytext"), "zoneid", r.zoneId, "zonename", zones.get(r.zoneId),
        "status", r.status, "hypervisor", t.params.get("hypervisor"), "format",
        t.params.get("format").toUpperCase(Locale.ROOT), "created", t.created,
        "ostypeid", t.params.get("ostypeid"), "templatetype", "USER");
    o.put("isready", r.ready);
    o.put("passwordenabled", Boolean.parseBoolean(t.params.getOrDefault("passwordenabled",
        "false")));
    ArrayNode details = o.putArray("downloaddetails");
    details.add(obj("downloadPercent", r.ready ? "100" : "0", "downloadState", r.downloadState,
        "datastore", "nfs://secondary"));
    ArrayNode tagArray = o.putArray("tags");
    tags.stream().filter(tag -> tag.resourceId().equals(t.id)).forEach(tag -> tagArray.add(
        obj("key", tag.key(), "value", tag.value(), "resourcetype", "Template",
            "resourceid", t.id)));
    return o;
  }

  private ObjectNode copyTemplate(Map<String, String> p) throws ApiError {
    require(p, "id", "destzoneids");
    Tpl t = templates.get(p.get("id"));
    if (t == null) {
      throw new ApiError(431, "Unable to find template with id");
    }
    for (String z : p.get("destzoneids").split(",")) {
      if (!zones.containsKey(z)) {
        throw new ApiError(431, "Please specify a valid destination zone.");
      }
      Row r = new Row(z, readinessSteps);
      r.received = true;
      t.rows.putIfAbsent(z, r);
    }
    return job(obj("success", "true"), null);
  }

  private ObjectNode deleteTemplate(Map<String, String> p) throws ApiError {
    require(p, "id");
    Tpl t = templates.get(p.get("id"));
    if (t == null) {
      throw new ApiError(431, "unable to find template by id " + p.get("id"));
    }
    List<String> users = vms.values().stream().filter(v -> v.path("templateid").asText()
        .equals(t.id)).map(v -> v.path("id").asText()).toList();
    if (!users.isEmpty()) {
      throw new ApiError(431, "Unable to delete template " + t.id + " because VM instances "
          + "[" + String.join(", ", users) + "] are using it.");
    }
    if (p.containsKey("zoneid")) {
      t.rows.remove(p.get("zoneid"));
    }
    if (!p.containsKey("zoneid") || t.rows.isEmpty()) {
      templates.remove(t.id);
      tags.removeIf(tag -> tag.resourceId().equals(t.id));
    }
    return job(obj("success", "true"), null);
  }

  private ObjectNode createTags(Map<String, String> p) throws ApiError {
    require(p, "resourcetype", "resourceids", "tags[0].key");
    for (String id : p.get("resourceids").split(",")) {
      for (int i = 0; p.containsKey("tags[" + i + "].key"); i++) {
        String key = p.get("tags[" + i + "].key");
        if (tags.stream().anyMatch(t -> t.resourceId().equals(id) && t.key().equals(key))) {
          throw new ApiError(431, "tag " + key + " already exists on the resource " + id);
        }
        tags.add(new Tag(key, p.getOrDefault("tags[" + i + "].value", ""), id,
            p.get("resourcetype")));
      }
    }
    return job(obj("success", "true"), null);
  }

  private ObjectNode deploy(Map<String, String> p) throws ApiError {
    require(p, "templateid", "zoneid", "serviceofferingid");
    Tpl t = templates.get(p.get("templateid"));
    if (t == null || !t.rows.containsKey(p.get("zoneid")) || !t.rows.get(p.get("zoneid"))
        .ready) {
      throw new ApiError(431, "Template is not ready in the zone");
    }
    String id = UUID.randomUUID().toString();
    if (smokeDeployFails) { // the VM record exists, in state Error, and its id was answered
      vms.put(id, obj("id", id, "name", p.getOrDefault("name", "vm-" + id), "state", "Error",
          "templateid", t.id, "zoneid", p.get("zoneid")));
      ObjectNode started = job(null, obj("errortext", "Unable to create a deployment for VM "
          + "instance", "errorcode", "533"));
      started.put("id", id);
      return started;
    }
    ObjectNode vm = obj("id", id, "name", p.getOrDefault("name", "vm-" + id), "state",
        "Running", "templateid", t.id, "zoneid", p.get("zoneid"));
    if (Boolean.parseBoolean(t.params.getOrDefault("passwordenabled", "false"))) {
      vm.put("password", "Sm0keTest-" + id.substring(0, 6));
    }
    vms.put(id, vm);
    ObjectNode result = JSON.createObjectNode();
    result.set("virtualmachine", vm.deepCopy());
    return job(result, null);
  }

  /** An async job: pending on the first query, then done (or failed). */
  private ObjectNode job(ObjectNode result, ObjectNode error) {
    String jobId = UUID.randomUUID().toString();
    ObjectNode j = JSON.createObjectNode();
    j.put("jobid", jobId);
    j.put("polls", 0);
    if (error != null) {
      j.put("jobstatus", 2);
      j.put("jobresultcode", 530);
      ObjectNode e = JSON.createObjectNode();
      e.put("errorcode", Integer.parseInt(error.get("errorcode").asText()));
      e.put("errortext", error.get("errortext").asText());
      j.set("jobresult", e);
    } else {
      j.put("jobstatus", 1);
      j.put("jobresultcode", 0);
      j.set("jobresult", result == null ? JSON.createObjectNode() : result);
    }
    jobs.put(jobId, j);
    ObjectNode r = JSON.createObjectNode();
    r.put("jobid", jobId);
    if (result != null && result.has("virtualmachine")) {
      r.put("id", result.get("virtualmachine").get("id").asText());
    }
    return r;
  }

  private ObjectNode queryJob(Map<String, String> p) throws ApiError {
    require(p, "jobid");
    ObjectNode j = jobs.get(p.get("jobid"));
    if (j == null) {
      throw new ApiError(431, "Unable to execute API command queryasyncjobresult due to "
          + "invalid value. Invalid parameter jobid value=" + p.get("jobid"));
    }
    int polls = j.get("polls").asInt();
    j.put("polls", polls + 1);
    ObjectNode r = JSON.createObjectNode();
    r.put("jobid", p.get("jobid"));
    if (polls == 0) {
      r.put("jobstatus", 0);
      r.put("jobprocstatus", 0);
      return r;
    }
    r.put("jobstatus", j.get("jobstatus").asInt());
    r.put("jobresultcode", j.get("jobresultcode").asInt());
    r.set("jobresult", j.get("jobresult"));
    return r;
  }

  // ---- upload endpoint

  private void upload(HttpExchange ex) throws IOException {
    try (ex) {
      String token = ex.getRequestURI().getPath().substring("/upload/".length());
      Upload u = uploads.remove(token); // works once
      if (u == null) {
        send(ex, 403, "upload URL unknown or already used".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (uploadFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        ex.getRequestBody().readAllBytes();
        send(ex, 503, "Service Unavailable".getBytes(StandardCharsets.UTF_8));
        return; // the template stays as getUploadParamsForTemplate made it: "Not uploaded"
      }
      var h = ex.getRequestHeaders();
      if (!ex.getRequestMethod().equals("POST")) {
        send(ex, 405, "POST only".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (!u.signature().equals(h.getFirst("X-signature"))
          || !u.metadata().equals(h.getFirst("X-metadata"))
          || !u.expires().equals(h.getFirst("X-expires"))) {
        send(ex, 403, "signature, metadata or expires header missing or altered"
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (h.getFirst("Content-Length") == null || "chunked".equalsIgnoreCase(
          h.getFirst("Transfer-Encoding"))) {
        send(ex, 411, "Content-Length required; chunked encoding is not accepted"
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      String type = h.getFirst("Content-Type");
      if (type == null || !type.startsWith("multipart/form-data; boundary=")) {
        send(ex, 400, "multipart/form-data expected".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      if (body.length != Long.parseLong(h.getFirst("Content-Length"))) {
        send(ex, 400, "body shorter than Content-Length".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String boundary = type.substring(type.indexOf('=') + 1);
      Tpl t = templates.get(u.templateId());
      MultipartFile file = MultipartFile.parse(body, boundary);
      String ext = t.params.get("format").toLowerCase(Locale.ROOT);
      if (file == null || !file.fileName().matches(".+\\." + ext + "(\\.(bz2|gz|zip|xz))?")) {
        send(ex, 400, ("one file part named *." + ext + " expected").getBytes(
            StandardCharsets.UTF_8));
        return;
      }
      t.rows.values().forEach(r -> {
        r.status = "Upload Complete";
        r.downloadState = "DOWNLOAD_IN_PROGRESS";
      });
      received(t, file.content());
      send(ex, 200, new byte[0]);
    }
  }

  /** The single file part of a multipart body. */
  record MultipartFile(String fileName, byte[] content) {
    static MultipartFile parse(byte[] body, String boundary) {
      String text = new String(body, StandardCharsets.ISO_8859_1);
      String delimiter = "--" + boundary;
      int start = text.indexOf(delimiter + "\r\n");
      int headersEnd = text.indexOf("\r\n\r\n", start);
      int end = text.indexOf("\r\n" + delimiter + "--", headersEnd);
      if (start != 0 || headersEnd < 0 || end < 0) {
        return null;
      }
      String headers = text.substring(start, headersEnd);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("filename=\"([^\"]+)\"")
          .matcher(headers);
      if (!m.find()) {
        return null;
      }
      return new MultipartFile(m.group(1), Arrays.copyOfRange(body, headersEnd + 4, end));
    }
  }

  // ---- helpers

  private static Map<String, String> parseForm(String body) {
    Map<String, String> p = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return p;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      p.put(k, v);
    }
    return p;
  }

  private static ObjectNode obj(String... kv) {
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      o.put(kv[i], kv[i + 1]);
    }
    return o;
  }

  private static ObjectNode list(String field, List<ObjectNode> items) {
    ObjectNode r = JSON.createObjectNode();
    r.put("count", items.size());
    if (!items.isEmpty()) { // 4.22 omits empty lists
      ArrayNode a = r.putArray(field);
      items.forEach(a::add);
    }
    return r;
  }

  private static void error(HttpExchange ex, String command, int status, int code, String text)
      throws IOException {
    ObjectNode e = JSON.createObjectNode();
    e.putArray("uuidList");
    e.put("errorcode", code);
    e.put("cserrorcode", 9999);
    e.put("errortext", text);
    ObjectNode root = JSON.createObjectNode();
    root.set(command + "response", e);
    send(ex, status, JSON.writeValueAsBytes(root));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Drains a stream (kept for symmetry with the real server's handling). */
  static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
