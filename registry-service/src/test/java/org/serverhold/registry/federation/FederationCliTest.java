package org.serverhold.registry.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.testing.Fixtures.person;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.ListReviewsRequest;
import org.serverhold.cli.ServerholdCommand;
import org.serverhold.registry.testing.TestRegistry;
import picocli.CommandLine;

/** The federation CLI (status, review list/accept/reject) and the peer configuration syntax. */
class FederationCliTest {
  record Run(int exit, String out, String err) {}

  static Run run(TestRegistry r, String token, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = ServerholdCommand.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--registry", r.target(), "--token", token));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  /** Protects the operator's view: status shows each peer's version and lag; a queued import is accepted by id. */
  @Test
  void statusAndReviewFromTheCommandLine() throws Exception {
    try (TestRegistry a = FederationTest.member("reg-a"); TestRegistry b = FederationTest.member("reg-b")) {
      b.registry.federation.addPeer(FederationTest.peer(a, "reg-a", DisposalMode.REVIEW));
      FederationTest.register(a, "cli-a.cn", "c", person(950));
      FederationTest.register(b, "cli-b.cn", "c", person(950));
      FederationTest.takedown(a, "cli-a.cn", "CLI-1");
      FederationTest.await("queued at B", Duration.ofSeconds(5), () -> b.federationAdmin(b.regulator)
          .listReviews(ListReviewsRequest.getDefaultInstance()).getEntriesCount() == 1);

      Run status = run(b, b.regulator, "federation", "status");
      assertThat(status.exit()).as(status.err()).isZero();
      assertThat(status.out()).contains("registry reg-b").contains("reg-a").contains("review");
      Run asAdmin = run(b, b.admin, "federation", "status", "--json");
      assertThat(asAdmin.exit()).as(asAdmin.err()).isZero();
      assertThat(asAdmin.out()).contains("\"appliedVersion\":\"1\"");

      Run list = run(b, b.regulator, "federation", "review", "list");
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out()).contains("CLI-1").contains("IMPORT_PENDING_REVIEW");
      long id = b.federationAdmin(b.regulator).listReviews(ListReviewsRequest.getDefaultInstance()).getEntries(0).getId();

      Run byAdmin = run(b, b.admin, "federation", "review", "accept", "F" + id, "--reason", "x");
      assertThat(byAdmin.exit()).isNotZero();
      Run accept = run(b, b.regulator, "federation", "review", "accept", "F" + id, "--reason", "confirmed by phone");
      assertThat(accept.exit()).as(accept.err()).isZero();
      assertThat(accept.out()).contains("F" + id + " accepted: 1 domains held");
      assertThat(FederationTest.get(b, "cli-b.cn").getResolvable()).isFalse();
    }
  }

  /** Protects the --peer / peers-file syntax, including refusing what it does not know. */
  @Test
  void peerConfigurationSyntax() throws Exception {
    Path token = Files.createTempFile("peer", ".token");
    Files.writeString(token, "sh_secret\n");
    PeerConfig p = PeerConfig.parse("id=reg-b,target=10.0.0.2:7400,token-file=" + token + ",mode=suspend");
    assertThat(p.id()).isEqualTo("reg-b");
    assertThat(p.host()).isEqualTo("10.0.0.2");
    assertThat(p.port()).isEqualTo(7400);
    assertThat(p.token()).isEqualTo("sh_secret");
    assertThat(p.mode()).isEqualTo(DisposalMode.SUSPEND);
    assertThat(p.tls()).isFalse();
    assertThat(p.toString()).doesNotContain("sh_secret");
    assertThat(PeerConfig.parse("id=c,target=h:1,token=t,tls=true").tls()).isTrue();
    assertThat(PeerConfig.parse("id=c,target=h:1,token=t").mode()).isEqualTo(DisposalMode.RECORD);

    Path file = Files.createTempFile("peers", ".conf");
    Files.writeString(file, "# members\nid=a,target=h:1,token=t,mode=review\n\nid=b,target=h:2,token=t\n");
    assertThat(PeerConfig.parseFile(file)).extracting(PeerConfig::id, PeerConfig::mode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", DisposalMode.REVIEW),
            org.assertj.core.groups.Tuple.tuple("b", DisposalMode.RECORD));

    assertThatThrownBy(() -> PeerConfig.parse("id=a,target=h:1,token=t,mode=nuke")).hasMessageContaining("mode");
    assertThatThrownBy(() -> PeerConfig.parse("id=a,target=h:1,token=t,colour=red")).hasMessageContaining("unknown");
    assertThatThrownBy(() -> PeerConfig.parse("id=a,target=h:1")).hasMessageContaining("token");
    assertThatThrownBy(() -> PeerConfig.parse("id=a b,target=h:1,token=t")).hasMessageContaining("peer id");
  }
}
