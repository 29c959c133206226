package org.serverhold.registry.metrics;

import java.util.List;
import java.util.Locale;
import org.serverhold.registry.federation.Federation;

/**
 * The registry's figures in the Prometheus text format: the policy feed's version and its
 * subscribers, the federation export log, and each peer's import (version, lag, connection,
 * entries in force, last error) — what `serverhold federation status` shows, for monitoring.
 */
public final class RegistryMetrics {
  /** What is measured at one moment. */
  public record Sample(long policyVersion, int resolversActive, long resolversMinApplied, long exportVersion,
      List<Federation.PeerState> peers, long nowMillis) {}

  private RegistryMetrics() {}

  public static String render(Sample s) {
    StringBuilder out = new StringBuilder();
    gauge(out, "serverhold_policy_version", "The newest committed policy version.", s.policyVersion());
    gauge(out, "serverhold_policy_resolvers_active", "Resolvers heard from in the last 10 minutes.", s.resolversActive());
    gauge(out, "serverhold_policy_resolvers_lag_versions", "Versions the furthest-behind active resolver has not applied.",
        s.resolversActive() == 0 ? 0 : Math.max(0, s.policyVersion() - s.resolversMinApplied()));
    gauge(out, "serverhold_federation_export_version", "The newest version of this registry's blacklist export.",
        s.exportVersion());
    header(out, "serverhold_federation_peer_version", "The peer's version applied here.");
    s.peers().forEach(p -> line(out, "serverhold_federation_peer_version", p.peerId(), p.appliedVersion()));
    header(out, "serverhold_federation_peer_lag_versions", "Versions of the peer not applied here yet.");
    s.peers().forEach(p -> line(out, "serverhold_federation_peer_lag_versions", p.peerId(), p.lag()));
    header(out, "serverhold_federation_peer_connected", "1 when this process holds a stream to the peer.");
    s.peers().forEach(p -> line(out, "serverhold_federation_peer_connected", p.peerId(), p.connected() ? 1 : 0));
    header(out, "serverhold_federation_peer_entries", "The peer's blacklist entries in force here.");
    s.peers().forEach(p -> line(out, "serverhold_federation_peer_entries", p.peerId(), p.entriesInForce()));
    header(out, "serverhold_federation_peer_last_error_age_seconds", "Seconds since the last error with the peer (-1: none).");
    s.peers().forEach(p -> line(out, "serverhold_federation_peer_last_error_age_seconds", p.peerId(),
        p.lastErrorTime() == null ? -1 : Math.max(0, (s.nowMillis() - p.lastErrorTime().toEpochMilli()) / 1000)));
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    header(out, name, help);
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void header(StringBuilder out, String name, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
  }

  private static void line(StringBuilder out, String name, String peer, long value) {
    out.append(name).append("{peer=\"").append(escape(peer)).append("\"} ").append(value).append('\n');
  }

  static String escape(String label) {
    return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").toLowerCase(Locale.ROOT);
  }
}
