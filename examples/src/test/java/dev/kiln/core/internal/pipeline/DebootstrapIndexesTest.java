package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.kvm.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The debootstrap source's package indexes, as the manifest names them, from the real base
 * (the VM tests' fixture is built by the same script from Debian's mirror): every suite's
 * {@code InRelease} kept beside the disk carries Debian's signature ({@code gpgv} with the
 * archive keyring), and the manifest's digest and date are {@code sha256sum}'s and the signed
 * text's.
 */
@Tag("validator")
class DebootstrapIndexesTest {
  @Test
  void theManifestNamesTheSignedIndexesTheBaseCameFrom() throws Exception {
    Path disk = Fixtures.debian12();
    List<BuildManifest.PackageIndex> indexes = DebootstrapBase.indexes(disk);
    assertThat(indexes).extracting(BuildManifest.PackageIndex::file)
        .contains("deb.debian.org_debian_dists_bookworm_InRelease");
    Path dir = disk.resolveSibling(disk.getFileName() + ".indexes");
    for (BuildManifest.PackageIndex i : indexes) {
      Path file = dir.resolve(i.file());
      Fixtures.Result gpgv = Fixtures.run(List.of("gpgv", "--keyring",
          "/usr/share/keyrings/debian-archive-keyring.gpg", file.toString()), 60);
      assertThat(gpgv.exit()).as(i.file() + ": " + gpgv.output()).isZero();
      Fixtures.Result sum = Fixtures.run(List.of("sha256sum", file.toString()), 60);
      assertThat(sum.output()).startsWith(i.sha256() + " ");
      Fixtures.Result date = Fixtures.run(List.of("sed", "-n", "s/^Date: //p", file.toString()),
          60);
      assertThat(i.date()).isNotBlank().isEqualTo(date.output().strip());
    }
  }
}
