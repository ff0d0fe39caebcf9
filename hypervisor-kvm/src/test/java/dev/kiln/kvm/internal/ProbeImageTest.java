package dev.kiln.kvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed probe boot sector is exactly what its assembly source produces. */
class ProbeImageTest {
  @TempDir
  Path tmp;

  @Test
  void committedBinaryMatchesNasmOutputOfTheSource() throws Exception {
    Path source = Path.of("src/main/asm/accel-probe.asm").toAbsolutePath();
    Path out = tmp.resolve("probe.bin");
    Process nasm = new ProcessBuilder("nasm", "-f", "bin", "-o", out.toString(),
        source.toString()).inheritIO().start();
    assertThat(nasm.waitFor()).isZero();
    byte[] committed;
    try (InputStream in = ProbeRun.class.getResourceAsStream("accel-probe.bin")) {
      committed = in.readAllBytes();
    }
    assertThat(committed).hasSize(512).isEqualTo(Files.readAllBytes(out));
    assertThat(committed[510]).isEqualTo((byte) 0x55);
    assertThat(committed[511]).isEqualTo((byte) 0xAA);
  }

  @Test
  void probeDomainXmlIsValidPerLibvirtSchema() throws Exception {
    Path xml = tmp.resolve("probe.xml");
    Files.writeString(xml, ProbeDomainXml.build("kiln-probe-test", dev.kiln.api.Accelerator.KVM,
        Path.of("/tmp/x y/probe.img"), Path.of("/tmp/<c>&.log")));
    Process p = new ProcessBuilder("virt-xml-validate", xml.toString(), "domain")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(Files.readString(xml)).contains("/tmp/&lt;c&gt;&amp;.log")
        .contains("https://kiln.dev/xmlns/libvirt/1");
  }
}
