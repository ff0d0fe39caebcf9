package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key headers as real tools write them, found wherever they sit in the disk's data. */
class PrivateKeyScanTest {
  @TempDir
  Path tmp;

  /** A real OpenSSH and a real PEM key, written by ssh-keygen and openssl (not by Kiln). */
  private byte[] realKeys() throws Exception {
    Path ed = tmp.resolve("id_ed25519");
    Path rsa = tmp.resolve("key.pem");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ed.toString());
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-out", rsa.toString());
    return (Files.readString(ed) + "\n" + Files.readString(rsa)).getBytes(
        StandardCharsets.US_ASCII);
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
  }

  @Test
  void findsKeysInsideARunAndAcrossTheSeamOfTwoRuns() throws Exception {
    byte[] keys = realKeys();
    byte[] disk = new byte[1 << 20];
    System.arraycopy(keys, 0, disk, 4096, keys.length);
    // the second copy straddles the boundary between two runs of 64 KiB
    int seam = 65536;
    System.arraycopy(keys, 0, disk, seam - 20, keys.length);
    PrivateKeyScan scan = new PrivateKeyScan();
    for (int at = 0; at < disk.length; at += seam) {
      scan.writeRun(at, ByteBuffer.wrap(disk, at, seam).slice());
    }
    assertThat(scan.findings()).extracting(PrivateKeyScan.Finding::header).containsExactly(
        "OPENSSH PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY");
    assertThat(scan.findings().get(0).offset()).isEqualTo(4096);
    assertThat(scan.findings().get(2).offset()).isEqualTo(seam - 20);
    assertThat(scan.scanned()).isEqualTo(disk.length);
  }

  @Test
  void aKeyWhoseBodyCrossesTheSeamIsFoundOnce() throws Exception {
    byte[] keys = realKeys();
    byte[] disk = new byte[256 << 10];
    int seam = 65536;
    System.arraycopy(keys, 0, disk, seam - 60, keys.length); // header before, body after
    PrivateKeyScan scan = new PrivateKeyScan();
    for (int at = 0; at < disk.length; at += seam) {
      scan.writeRun(at, ByteBuffer.wrap(disk, at, seam).slice());
    }
    assertThat(scan.findings()).extracting(PrivateKeyScan.Finding::offset)
        .containsExactly((long) seam - 60, (long) seam - 60 + keys.length
            - Files.readString(tmp.resolve("key.pem")).length());
  }

  @Test
  void legacyEncryptedPemWithHeaderLinesIsFound() throws Exception {
    Path pem = tmp.resolve("legacy.pem");
    run("openssl", "genrsa", "-aes128", "-passout", "pass:kiln", "-traditional", "-out",
        pem.toString(), "2048");
    String text = Files.readString(pem);
    assertThat(text).contains("Proc-Type: 4,ENCRYPTED", "DEK-Info:");
    PrivateKeyScan scan = new PrivateKeyScan();
    scan.writeRun(512, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    assertThat(scan.findings()).extracting(PrivateKeyScan.Finding::header)
        .containsExactly("RSA PRIVATE KEY");
  }

  @Test
  void openSshsOwnProgramsHoldTheHeaderButNoKey() throws Exception {
    // ssh-keygen carries "-----BEGIN OPENSSH PRIVATE KEY-----" as a string constant; every
    // image with OpenSSH has it: a header without a key body is not a key
    byte[] program = Files.readAllBytes(Path.of("/usr/bin/ssh-keygen"));
    assertThat(new String(program, StandardCharsets.ISO_8859_1))
        .contains("-----BEGIN OPENSSH PRIVATE KEY-----");
    PrivateKeyScan scan = new PrivateKeyScan();
    scan.writeRun(0, ByteBuffer.wrap(program));
    assertThat(scan.findings()).isEmpty();
  }

  @Test
  void aLibrarysSelfTestKeysAreEmbeddedNotFindings() throws Exception {
    // GnuTLS carries complete PKCS#8 test keys as C strings (every Debian image has them)
    byte[] library = Files.readAllBytes(Path.of("/usr/lib/x86_64-linux-gnu/libgnutls.so.30"));
    assertThat(new String(library, StandardCharsets.ISO_8859_1))
        .contains("-----BEGIN PRIVATE KEY-----\nM");
    PrivateKeyScan scan = new PrivateKeyScan();
    scan.writeRun(1 << 20, ByteBuffer.wrap(library)); // as a file of its own would start
    assertThat(scan.findings()).isEmpty();
    assertThat(scan.embedded()).isNotEmpty().allMatch(PrivateKeyScan.Finding::embedded);
  }

  @Test
  void aPemKeyFileAfterZeroedSpaceIsAFindingWhereverItStarts() throws Exception {
    byte[] keys = realKeys();
    String pem = Files.readString(tmp.resolve("key.pem"));
    byte[] pemBytes = pem.getBytes(StandardCharsets.US_ASCII);
    byte[] disk = new byte[64 << 10];
    // a key file starts a filesystem block: after the previous file's zero padding
    System.arraycopy(pemBytes, 0, disk, 8192, pemBytes.length);
    // a key inside a text file (a config with an inline key): after text
    byte[] config = ("tls:\n  key: |\n" + pem).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(config, 0, disk, 20000, config.length);
    // an OpenSSH key right after a NUL at an odd offset is still a key
    System.arraycopy(keys, 0, disk, 40001, keys.length);
    PrivateKeyScan scan = new PrivateKeyScan();
    scan.writeRun(0, ByteBuffer.wrap(disk));
    assertThat(scan.findings()).extracting(PrivateKeyScan.Finding::offset).containsExactly(
        8192L, 20000L + config.length - pemBytes.length, 40001L,
        40001L + keys.length - pemBytes.length);
    assertThat(scan.embedded()).isEmpty();
  }

  @Test
  void publicKeysCertificatesAndRunsThatAreNotAdjacentAreNotFindings() throws Exception {
    PrivateKeyScan scan = new PrivateKeyScan();
    byte[] text = ("-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN PUBLIC KEY-----\n"
        + "ssh-ed25519 AAAA kiln-build\n").getBytes(StandardCharsets.US_ASCII);
    scan.writeRun(0, ByteBuffer.wrap(text));
    // "-----BEGIN OPENSSH" at the end of one run and "PRIVATE KEY-----" far away: no key
    scan.writeRun(1 << 20, ByteBuffer.wrap("xx-----BEGIN OPENSSH ".getBytes(
        StandardCharsets.US_ASCII)));
    scan.writeRun(2 << 20, ByteBuffer.wrap("PRIVATE KEY-----".getBytes(
        StandardCharsets.US_ASCII)));
    assertThat(scan.findings()).isEmpty();
    assertThat(List.of(scan.scanned())).containsExactly((long) text.length + 21 + 16);
  }
}
