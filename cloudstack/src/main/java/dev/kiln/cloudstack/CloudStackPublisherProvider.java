package dev.kiln.cloudstack;

import dev.kiln.api.KilnException;
import dev.kiln.api.PublishException;
import dev.kiln.api.PublishTarget;
import dev.kiln.spi.Publisher;
import dev.kiln.spi.PublisherProvider;
import java.nio.file.Path;

/**
 * CloudStack for ServiceLoader: a target's profile names a cloudmonkey profile
 * ({@code ~/.cmk/config}), whose URL and keys the publisher's client
 * uses.
 */
public final class CloudStackPublisherProvider implements PublisherProvider {
  private final Path cmkConfig;

  /** Reads profiles from the default cloudmonkey configuration. */
  public CloudStackPublisherProvider() {
    this(CloudStackCredentials.defaultCmkConfig());
  }

  public CloudStackPublisherProvider(Path cmkConfig) {
    this.cmkConfig = cmkConfig;
  }

  @Override
  public String name() {
    return "cloudstack";
  }

  /** Every {@link PublishTarget} is CloudStack's (zones, OS type, URL or upload). */
  @Override
  public boolean handles(PublishTarget target) {
    return true;
  }

  @Override
  public Publisher open(PublishTarget target, String templateFamily, String version)
      throws PublishException {
    try {
      CloudStackClient client = CloudStackClient.builder(CloudStackCredentials.fromCmkConfig(
          cmkConfig, target.profile())).build();
      return CloudStackPublisher.builder(client, templateFamily, version).build();
    } catch (PublishException e) {
      throw e;
    } catch (KilnException e) {
      throw new PublishException(e.getMessage(), e);
    }
  }
}
