package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretScanTest {
  @Test
  void aSecretAcrossTwoRunsIsFoundOnceAtItsOffset() {
    SecretScan scan = new SecretScan(Map.of("the recipe's root password", "hunter2-longer",
        "user kiln's password", "abc"));
    byte[] first = new byte[1024];
    byte[] second = new byte[1024];
    byte[] secret = "hunter2-longer".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(secret, 0, first, 1024 - 6, 6);
    System.arraycopy(secret, 6, second, 0, secret.length - 6);
    scan.writeRun(4096, ByteBuffer.wrap(first));
    scan.writeRun(5120, ByteBuffer.wrap(second));
    assertThat(scan.findings()).containsExactly(new SecretScan.Finding(
        "the recipe's root password", 4096 + 1024 - 6));
    assertThat(scan.tooShort()).containsExactly("user kiln's password");
    // the same bytes in runs that are not contiguous are two halves of nothing
    SecretScan apart = new SecretScan(Map.of("x", "hunter2-longer"));
    apart.writeRun(4096, ByteBuffer.wrap(first));
    apart.writeRun(65536, ByteBuffer.wrap(second));
    assertThat(apart.findings()).isEmpty();
  }
}
