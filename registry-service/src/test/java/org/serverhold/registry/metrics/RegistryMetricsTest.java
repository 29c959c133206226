package org.serverhold.registry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.AckPolicyRequest;
import org.serverhold.registry.federation.Federation;
import org.serverhold.registry.testing.TestRegistry;

/** Protects monitoring: the registry's /metrics shows the feed, its resolvers and every federation peer's state. */
class RegistryMetricsTest {
  @Test
  void peersAppearWithVersionLagConnectionAndErrorAge() {
    var peer = new Federation.PeerState("reg-B", "10.0.0.2:7400", "suspend", 40, 45, true, "UNAVAILABLE",
        Instant.ofEpochMilli(10_000), Instant.ofEpochMilli(9_000), 3);
    String text = RegistryMetrics.render(new RegistryMetrics.Sample(12, 2, 10, 7, List.of(peer), 70_000));
    assertThat(text).contains("serverhold_policy_version 12\n", "serverhold_policy_resolvers_lag_versions 2\n",
        "serverhold_federation_export_version 7\n", "serverhold_federation_peer_version{peer=\"reg-b\"} 40\n",
        "serverhold_federation_peer_lag_versions{peer=\"reg-b\"} 5\n", "serverhold_federation_peer_connected{peer=\"reg-b\"} 1\n",
        "serverhold_federation_peer_entries{peer=\"reg-b\"} 3\n",
        "serverhold_federation_peer_last_error_age_seconds{peer=\"reg-b\"} 60\n");
  }

  @Test
  void theEndpointServesALiveRegistrysFigures() throws Exception {
    try (TestRegistry r = new TestRegistry();
        MetricsEndpoint endpoint = new MetricsEndpoint(new InetSocketAddress("127.0.0.1", 0),
            () -> RegistryMetrics.render(r.registry.metricsSample()))) {
      r.policy(r.resolver).ackPolicy(AckPolicyRequest.newBuilder().setResolverId("gw-1").setAppliedVersion(0).build());
      var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("serverhold_policy_resolvers_active 1\n")
          .containsPattern("serverhold_policy_version [1-9]");
    }
  }
}
