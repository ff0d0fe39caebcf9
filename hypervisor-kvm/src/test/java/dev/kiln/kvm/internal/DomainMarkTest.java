package dev.kiln.kvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.spi.MachineSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kiln's mark survives the round trip through the domain XML; foreign XML has none. */
class DomainMarkTest {
  @Test
  void readsBackWhatDomainDefinitionWrote() {
    MachineSpec spec = MachineSpec.builder("m1").label("build", "b-42")
        .kernelBoot(new MachineSpec.KernelBoot(Path.of("/k"), Path.of("/i"), "")).build();
    Instant created = Instant.parse("2026-11-25T10:00:00Z");
    String xml = DomainDefinition.build(spec, spec.disks(), Accelerator.TCG, Map.of(),
        Path.of("/c.log"), Path.of("/var/tmp/kiln/machines/m1"), created);
    DomainMark mark = DomainMark.read(xml).orElseThrow();
    assertThat(mark.owner()).isEqualTo("b-42");
    assertThat(mark.created()).isEqualTo(created);
    assertThat(mark.workDir()).contains(Path.of("/var/tmp/kiln/machines/m1"));
  }

  @Test
  void domainsWithoutTheMarkAreNotKilns() {
    assertThat(DomainMark.read("<domain type='kvm'><name>x</name><metadata><other:m "
        + "xmlns:other='https://example.com/x'/></metadata></domain>")).isEmpty();
    assertThat(DomainMark.read("<domain")).isEmpty();
    assertThat(DomainMark.read("<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        + "<domain>&e;</domain>")).isEmpty();
  }
}
