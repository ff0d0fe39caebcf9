package dev.kiln.kvm.internal;

import dev.kiln.api.Accelerator;
import java.nio.file.Path;
import java.time.Instant;

/** The libvirt definition of the accelerator probe guest. */
final class ProbeDomainXml {
  private ProbeDomainXml() {}

  static String build(String name, Accelerator accelerator, Path disk, Path console) {
    Xml domain = Xml.root("domain").attr("type", accelerator == Accelerator.KVM ? "kvm" : "qemu");
    domain.text("name", name);
    KilnMetadata.append(domain, "accel-probe", Instant.now());
    domain.child("memory").attr("unit", "MiB").text("256");
    domain.text("vcpu", "1");
    Xml os = domain.child("os");
    os.child("type").attr("arch", "x86_64").attr("machine", "pc").text("hvm");
    os.child("boot").attr("dev", "hd");
    // The CPU model Kiln uses for real builds, so the probe fails where builds would.
    domain.child("cpu").attr("mode", accelerator == Accelerator.KVM ? "host-passthrough"
        : "maximum");
    domain.text("on_poweroff", "destroy").text("on_reboot", "destroy")
        .text("on_crash", "destroy");
    Xml devices = domain.child("devices");
    Xml d = devices.child("disk").attr("type", "file").attr("device", "disk");
    d.child("driver").attr("name", "qemu").attr("type", "raw");
    d.child("source").attr("file", disk.toString());
    d.child("target").attr("dev", "hda").attr("bus", "ide");
    Xml serial = devices.child("serial").attr("type", "file");
    serial.child("source").attr("path", console.toString());
    serial.child("target").attr("port", "0");
    devices.child("memballoon").attr("model", "none");
    return domain.serialize();
  }
}
