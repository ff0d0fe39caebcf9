package dev.kiln.cloudstack;

import dev.kiln.api.Secret;
import dev.kiln.cloudstack.standin.CloudStackStandIn;
import java.time.Duration;

/** Clients wired to a stand-in, with short polls so tests run fast. */
final class StandIns {
  private StandIns() {}

  static CloudStackCredentials credentials(CloudStackStandIn standIn) {
    return new CloudStackCredentials(standIn.endpoint(), CloudStackStandIn.API_KEY,
        Secret.of(CloudStackStandIn.SECRET_KEY), Duration.ofSeconds(30), true);
  }

  static CloudStackClient client(CloudStackStandIn standIn) {
    return CloudStackClient.builder(credentials(standIn)).pollInterval(Duration.ofMillis(20))
        .jobTimeout(Duration.ofSeconds(30)).build();
  }
}
