package dev.kiln.kvm.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machines this JVM has open. A shutdown hook closes them, so a build stopped with Ctrl-C
 * or SIGTERM leaves no guest running; SIGKILL cannot be caught, which is what {@code kiln clean}
 * is for.
 */
final class OpenMachines {
  private static final Set<KvmMachine> OPEN = ConcurrentHashMap.newKeySet();
  private static boolean hookInstalled;

  private OpenMachines() {}

  static synchronized void add(KvmMachine machine) {
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(new Thread(OpenMachines::closeAll,
          "kiln-machine-reaper"));
      hookInstalled = true;
    }
    OPEN.add(machine);
  }

  static void remove(KvmMachine machine) {
    OPEN.remove(machine);
  }

  private static void closeAll() {
    for (KvmMachine m : OPEN) {
      try {
        m.close();
      } catch (Exception ignored) {
        // the JVM is exiting; kiln clean handles what could not be removed here
      }
    }
  }
}
