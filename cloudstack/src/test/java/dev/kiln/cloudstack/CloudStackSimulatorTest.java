package dev.kiln.cloudstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.Secret;
import dev.kiln.cloudstack.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The client against the real management server in {@code apache/cloudstack-simulator}. Needs a
 * Docker engine: where there is none (as on Kiln's CI machines) JUnit reports it skipped with
 * that reason. The simulator's data center is deployed with Marvin, an admin key pair is made
 * through the unauthenticated integration port 8096, then Kiln's signed client lists zones.
 */
@Tag("docker")
@Testcontainers(disabledWithoutDocker = true)
class CloudStackSimulatorTest {
  @Container
  static final GenericContainer<?> SIMULATOR = new GenericContainer<>(
      DockerImageName.parse("apache/cloudstack-simulator:4.22.0.0"))
      .withExposedPorts(8080, 8096)
      .waitingFor(Wait.forHttp("/client/").forPort(8080).withStartupTimeout(
          Duration.ofMinutes(10)));

  @Test
  void signedRequestsAreAcceptedByTheRealServer() throws Exception {
    Marvin.deployDataCenter(SIMULATOR);
    String integration = "http://" + SIMULATOR.getHost() + ":" + SIMULATOR.getMappedPort(8096)
        + "/client/api?response=json&command=";
    JsonNode users = get(integration + "listUsers&username=admin");
    String userId = Json.list(Json.unwrap(users), "user").get(0).path("id").asText();
    JsonNode keys = Json.unwrap(get(integration + "registerUserKeys&id=" + userId))
        .path("userkeys");
    CloudStackClient client = CloudStackClient.builder(new CloudStackCredentials(
        URI.create("http://" + SIMULATOR.getHost() + ":" + SIMULATOR.getMappedPort(8080)
            + "/client/api"), keys.path("apikey").asText(),
        Secret.of(keys.path("secretkey").asText()), Duration.ofSeconds(60), true)).build();
    assertThat(client.listZones()).isNotEmpty();
    assertThat(client.listOsTypes()).anyMatch(o -> o.description().contains("Linux"));
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body());
  }

  /** Marvin's data-center deployment, as the simulator's documentation describes. */
  static final class Marvin {
    static void deployDataCenter(GenericContainer<?> c) throws Exception {
      var r = c.execInContainer("python3", "/root/tools/marvin/marvin/deployDataCenter.py", "-i",
          "/root/setup/dev/advanced.cfg");
      assertThat(r.getExitCode()).as(r.getStdout() + r.getStderr()).isZero();
    }
  }
}
