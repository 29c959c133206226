package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.DenyReason;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The denial log regulators and operators read: one JSON line per refused query, names printed
 * as dnsjava prints them (escapes and the query's own case kept), references in UTF-8, and files
 * rotated by size under the names FileHandler used.
 */
class DenialLogTest {
  @TempDir Path dir;

  @Test
  void oneJsonLinePerDenialWithNamesAndReferencesEscaped() throws Exception {
    GatewayMetrics metrics = new GatewayMetrics();
    DenialLog log = new DenialLog(dir.resolve("denials.log"), 1 << 20, 3, metrics);
    long t = Instant.parse("2026-11-29T08:00:00.007Z").toEpochMilli();
    Decision takedown = Decision.deny(DenyReason.TAKEDOWN, "京ICP备123号 \"x\"");
    log.log(t, InetAddress.getByName("192.0.2.1"), Name.fromString("Www.Held.cn.").toWire(), Type.A, takedown, 42,
        null);
    // A label holding a dot, a quote and a control byte: escaped as dnsjava does, then for JSON.
    byte[] odd = {5, 'a', '.', '"', 7, 'b', 2, 'c', 'n', 0};
    log.log(t + 1_000, InetAddress.getByName("2001:db8::1"), odd, Type.AAAA,
        Decision.deny(DenyReason.FLAGGED, ""), 43, Name.fromString("evil.example.com."));
    log.close();

    List<String> lines = Files.readAllLines(dir.resolve("denials.log.0"), StandardCharsets.UTF_8);
    assertThat(lines).containsExactly(
        "{\"time\":\"2026-11-29T08:00:00.007Z\",\"client\":\"192.0.2.1\",\"name\":\"Www.Held.cn.\",\"type\":\"A\","
            + "\"reason\":\"TAKEDOWN\",\"reference\":\"京ICP备123号 \\\"x\\\"\",\"policy_version\":42}",
        "{\"time\":\"2026-11-29T08:00:01.007Z\",\"client\":\"2001:db8:0:0:0:0:0:1\",\"name\":\"a\\\\.\\\\\\\"\\\\007b.cn.\","
            + "\"type\":\"AAAA\",\"reason\":\"FLAGGED\",\"reference\":\"\",\"policy_version\":43,"
            + "\"via\":\"evil.example.com.\"}");
    // The same name as dnsjava prints it, JSON-escaped: the log and the library agree.
    assertThat(new Name(odd).toString()).isEqualTo("a\\.\\\"\\007b.cn.");
  }

  @Test
  void rotatesBySizeKeepingCountFiles() throws Exception {
    DenialLog log = new DenialLog(dir.resolve("denials.log"), 400, 3, new GatewayMetrics());
    long t = Instant.parse("2026-11-29T08:00:00Z").toEpochMilli();
    for (int i = 0; i < 8; i++) {
      log.log(t, InetAddress.getByName("192.0.2.1"), Name.fromString("n" + i + ".cn.").toWire(), Type.A,
          Decision.NOT_REGISTERED, i, null);
      Thread.sleep(60); // one batch per line, so each write can rotate
    }
    log.close();
    assertThat(dir.resolve("denials.log.0")).exists();
    assertThat(dir.resolve("denials.log.1")).exists();
    assertThat(dir.resolve("denials.log.2")).exists();
    assertThat(dir.resolve("denials.log.3")).doesNotExist();
    for (int g = 0; g < 3; g++) {
      assertThat(Files.size(dir.resolve("denials.log." + g))).isLessThanOrEqualTo(400);
    }
    // The newest line is in the current file, the oldest kept ones in the last generation.
    assertThat(Files.readAllLines(dir.resolve("denials.log.0")).getLast()).contains("\"name\":\"n7.cn.\"");
  }
}
