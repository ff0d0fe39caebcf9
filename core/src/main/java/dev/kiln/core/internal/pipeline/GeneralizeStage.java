package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.core.internal.provision.Generalizer;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Machine;
import dev.kiln.spi.OsProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Generalize: the OS profile's generalize script (or only a power-off when the recipe turns it
 * off), then the wait until the machine is off; the connection ends with the guest.
 */
final class GeneralizeStage {
  private final BuildContext ctx;

  GeneralizeStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  StoppedMachine generalize(ProvisionedGuest provisioned) throws Exception {
    GuestSession session = provisioned.session();
    OsProfile profile = ctx.settings.profile();
    if (ctx.recipe.generalize().enabled()) {
      String script = profile.guestScript("generalize", ctx.recipe).orElseThrow(() ->
          new KilnException(profile.id() + " has no generalize script"));
      List<String> survivors = Generalizer.generalizeAndPowerOff(session.guest(), script,
          ctx.recipe.generalize(), BuildContext.BUILD_USER, session.key().publicKey(),
          ctx.events.handlers(), ctx.events.buildId());
      ctx.survivors = survivors;
    } else {
      session.guest().execExpectingDisconnect(new ExecRequest("(sleep 1; systemctl poweroff) "
          + ">/dev/null 2>&1 &", Duration.ofSeconds(30), Map.of(), true, false));
    }
    session.disconnect();
    Machine machine = session.machine().machine();
    if (!machine.awaitPowerOff(Duration.ofMinutes(5))) {
      machine.shutdown(Duration.ofMinutes(2));
    }
    return new StoppedMachine(session.machine());
  }
}
