package dev.kiln.kvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Console lines as the guest wrote them: UTF-8, whatever the reads' boundaries. */
class ConsoleFollowerTest {
  @Test
  void aUtf8CharacterSplitAcrossTwoReadsIsOneCharacterAndEscapesGo() throws Exception {
    // systemd's line with its colour codes; "…" is E2 80 A6, cut after its first byte
    byte[] all = "\u001B[0;32m  OK  \u001B[0m Starting cloud-init.serv\u2026 job\r\nnext\n"
        .getBytes(StandardCharsets.UTF_8);
    int cut = indexOf(all, (byte) 0xE2) + 1;
    List<byte[]> reads = new ArrayList<>(List.of(java.util.Arrays.copyOfRange(all, 0, cut),
        java.util.Arrays.copyOfRange(all, cut, all.length)));
    ConsoleFollower.Source source = (position, buffer) -> {
      if (reads.isEmpty()) {
        return 0;
      }
      byte[] r = reads.remove(0);
      System.arraycopy(r, 0, buffer, 0, r.length);
      return r.length;
    };
    List<String> lines = new ArrayList<>();
    EventHandlers events = EventHandlers.builder().add(KilnEvent.ConsoleLine.class,
        e -> lines.add(e.line())).build();
    ConsoleFollower f = new ConsoleFollower(source, Optional.empty(), events, "b", "m");
    f.poll(OutputStream.nullOutputStream());
    assertThat(lines).isEmpty();
    assertThat(f.tail(1)).singleElement().asString().startsWith("\u001B[0;32m");
    f.poll(OutputStream.nullOutputStream());
    assertThat(lines).containsExactly("  OK   Starting cloud-init.serv\u2026 job", "next");
    // a byte that is not UTF-8 is a replacement character, not a wrong letter
    reads.add(new byte[] {'a', (byte) 0xE9, 'b', '\n'});
    f.poll(OutputStream.nullOutputStream());
    assertThat(lines.get(2)).isEqualTo("a\uFFFDb");
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
