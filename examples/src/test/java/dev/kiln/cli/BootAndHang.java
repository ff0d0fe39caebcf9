package dev.kiln.cli;

import dev.kiln.api.Accelerator;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.kvm.KvmHypervisor;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import java.nio.file.Path;

/**
 * A stand-in for a build that gets killed: boots d-i's kernel as a Kiln machine, says so, and
 * waits to be killed. Run in a separate JVM by {@link CleanAfterKillVmTest}.
 */
public final class BootAndHang {
  private BootAndHang() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    String name = args[1];
    Path di = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");
    MachineSpec spec = MachineSpec.builder(name).cpus(1).memoryMiB(512)
        .accelerator(Accelerator.TCG).forwardGuestPort(22)
        .kernelBoot(new MachineSpec.KernelBoot(di.resolve("linux"), di.resolve("initrd.gz"),
            "console=ttyS0,115200n8"))
        .label("build", "b-killed").build();
    KvmHypervisor kvm = KvmHypervisor.builder().workRoot(root).build();
    Machine machine = kvm.create(spec, EventHandlers.NONE);
    machine.start();
    System.out.println("STARTED " + name);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
