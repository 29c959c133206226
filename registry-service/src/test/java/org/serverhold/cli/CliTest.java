package org.serverhold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.residentId;
import static org.serverhold.registry.testing.Fixtures.rid;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.registry.testing.TestDatabases;
import org.serverhold.registry.testing.TestRegistry;
import picocli.CommandLine;

/**
 * The CLI as users run it: the real picocli command tree, in process, against a registry on a real
 * port (client subcommands) and its database (admin and audit subcommands). Asserts exit codes,
 * which scripts rely on, and what stdout/stderr say.
 */
class CliTest {
  static TestRegistry r;
  static Path dataDir;

  /** What one run of the command printed and returned. */
  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    r = new TestRegistry();
    dataDir = Files.createTempDirectory("serverhold-cli-test");
  }

  @AfterAll
  static void stop() {
    r.close();
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = ServerholdCommand.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static String[] db(TestRegistry registry) {
    String name = registry.db.dsl().fetchValue("select database()").toString();
    String[] urlUserPassword = TestDatabases.urlUserPassword(name);
    return new String[] {"--db-url", urlUserPassword[0], "--db-user", urlUserPassword[1],
        "--db-password=" + urlUserPassword[2], "--data-dir", dataDir.toString()};
  }

  static String[] client(String token) {
    return new String[] {"--registry", "127.0.0.1:" + r.server.port(), "--token", token};
  }

  static String[] args(Object... parts) {
    List<String> all = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof String[] many) {
        all.addAll(List.of(many));
      } else {
        all.add(String.valueOf(p));
      }
    }
    return all.toArray(String[]::new);
  }

  static JsonObject createCredential(String... options) {
    Run created = run(args("admin", "credential", "create", "--json", options, db(r)));
    assertThat(created.exit()).as(created.toString()).isZero();
    JsonObject json = JsonParser.parseString(created.out().strip()).getAsJsonObject();
    assertThat(json.get("token").getAsString()).startsWith("sh_");
    return json;
  }

  /**
   * Protects the tour a registry operator, a registrar and a bureau follow from the README: make
   * credentials, check and register a name, file it, blacklist a holder and see it refused, revoke
   * a credential. Exit codes are the contract scripts use: 0 ok, 2 refused/error, 4 "no" answers.
   */
  @Test
  void theOperatorRegistrarAndBureauTour() {
    Run registrar = run(args("admin", "registrar", "create", "reg-cli", "--name", "CLI Registrar", db(r)));
    assertThat(registrar.exit()).as(registrar.toString()).isZero();
    assertThat(registrar.out()).contains("reg-cli");

    JsonObject registrarCredential = createCredential("--principal", "cli-registrar", "--role", "REGISTRAR",
        "--registrar", "reg-cli");
    String registrarToken = registrarCredential.get("token").getAsString();
    String bureauToken = createCredential("--principal", "cli-bureau", "--role", "REGULATOR").get("token").getAsString();

    String holder = residentId(100);
    String[] holderIdentity = {"--registrant", "h-cli", "--id-type", "RESIDENT_ID_CARD", "--id-number", holder,
        "--id-name", "王五"};

    Run check = run(args("domain", "check", "cli-one.cn", holderIdentity, client(registrarToken)));
    assertThat(check.exit()).as(check.toString()).isZero();
    assertThat(check.out()).contains("allowed: cli-one.cn").contains("IDENTITY_UNVERIFIED");

    Run registered = run(args("domain", "register", "cli-one.cn", holderIdentity, client(registrarToken)));
    assertThat(registered.exit()).as(registered.toString()).isZero();
    assertThat(registered.out()).contains("registered cli-one.cn").contains("reg-cli");

    Run taken = run(args("domain", "check", "cli-one.cn", holderIdentity, client(registrarToken)));
    assertThat(taken.exit()).as(taken.toString()).isEqualTo(4);
    assertThat(taken.out()).contains("refused").contains("DOMAIN_TAKEN");

    Run listed = run(args("domain", "list", "--json", client(registrarToken)));
    assertThat(listed.exit()).as(listed.toString()).isZero();
    JsonArray domains = JsonParser.parseString(listed.out().strip()).getAsJsonArray();
    assertThat(domains.asList()).extracting(d -> d.getAsJsonObject().get("name").getAsString())
        .containsExactly("cli-one.cn");
    assertThat(domains.get(0).getAsJsonObject().get("registrarId").getAsString()).isEqualTo("reg-cli");

    Run filed = run(args("filing", "upsert", "京ICP备20000001号-1", "--sponsor", "某某科技有限公司", "--service-name", "某某网",
        "--access-provider", "某某云", "--domain", "cli-one.cn", client(bureauToken)));
    assertThat(filed.exit()).as(filed.toString()).isZero();
    assertThat(filed.out()).contains("filed 京ICP备20000001号-1").contains("cli-one.cn");
    Run shown = run(args("domain", "show", "cli-one.cn", client(registrarToken)));
    assertThat(shown.exit()).as(shown.toString()).isZero();
    assertThat(shown.out()).contains("京ICP备20000001号-1");

    String bad = residentId(200);
    String[] badIdentity = {"--id-type", "RESIDENT_ID_CARD", "--id-number", bad, "--id-name", "赵六"};
    Run clean = run(args("blacklist", "check", badIdentity, client(bureauToken)));
    assertThat(clean.exit()).as(clean.toString()).isZero();
    assertThat(clean.out()).contains("not blacklisted");

    Run added = run(args("blacklist", "add", badIdentity, "--reason", "fraud site", "--case", "2026-CLI-1",
        "--authority", "京公网安", client(bureauToken)));
    assertThat(added.exit()).as(added.toString()).isZero();
    assertThat(added.out()).contains("blacklisted holder").doesNotContain(bad); // masked, never the full number

    Run blacklisted = run(args("blacklist", "check", badIdentity, client(bureauToken)));
    assertThat(blacklisted.exit()).as(blacklisted.toString()).isEqualTo(4);
    assertThat(blacklisted.out()).contains("BLACKLISTED").contains("2026-CLI-1");

    Run refused = run(args("domain", "register", "cli-bad.cn", "--registrant", "h-bad", badIdentity, client(registrarToken)));
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
    assertThat(refused.err()).contains("FAILED_PRECONDITION").contains("HOLDER_BLACKLISTED");
    assertThat(refused.err()).doesNotContain(bad).doesNotContain("\tat ");
    assertThat(refused.out()).isEmpty();

    Run noToken = run("domain", "list", "--registry", "127.0.0.1:" + r.server.port(), "--token", "");
    assertThat(noToken.exit()).as(noToken.toString()).isEqualTo(2);
    assertThat(noToken.err()).contains("no credential");

    long id = registrarCredential.get("id").getAsLong();
    Run revoked = run(args("admin", "credential", "revoke", id, db(r)));
    assertThat(revoked.exit()).as(revoked.toString()).isZero();
    Run afterRevoke = run(args("domain", "list", client(registrarToken)));
    assertThat(afterRevoke.exit()).as(afterRevoke.toString()).isEqualTo(2);
    assertThat(afterRevoke.err()).contains("UNAUTHENTICATED");

    Run credentials = run(args("admin", "credential", "list", "--json", db(r)));
    assertThat(credentials.exit()).as(credentials.toString()).isZero();
    assertThat(credentials.out()).doesNotContain(registrarToken).doesNotContain(bureauToken);
    JsonElement row = JsonParser.parseString(credentials.out().strip()).getAsJsonArray().asList().stream()
        .filter(e -> e.getAsJsonObject().get("id").getAsLong() == id).findFirst().orElseThrow();
    assertThat(row.getAsJsonObject().get("state").getAsString()).isEqualTo("revoked");
  }

  /**
   * Protects tamper evidence: {@code audit verify} exits 0 on an intact chain and 3 naming the
   * edited event when one audit row's after_state is changed by SQL behind the registry's back.
   */
  @Test
  void auditVerifyNamesATamperedEvent() {
    try (TestRegistry own = new TestRegistry()) {
      for (int i = 0; i < 3; i++) {
        own.registrar(own.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid())
            .setDomain("audited-" + i + ".cn").setRegistrant(registrant("h-audit-" + i, person(300 + i))).setYears(1).build());
      }
      Run intact = run(args("audit", "verify", db(own)));
      assertThat(intact.exit()).as(intact.toString()).isZero();
      assertThat(intact.out()).contains("intact");

      List<Long> ids = own.db.dsl().fetch("select id from audit_event where action like 'domain.%' order by id")
          .getValues(0, Long.class);
      assertThat(ids).hasSizeGreaterThanOrEqualTo(3);
      long victim = ids.get(1);
      int updated = own.db.dsl().execute("update audit_event set after_state = '{\"tampered\":true}' where id = ?", victim);
      assertThat(updated).isEqualTo(1);

      Run broken = run(args("audit", "verify", db(own)));
      assertThat(broken.exit()).as(broken.toString()).isEqualTo(3);
      assertThat(broken.out()).contains("BROKEN at event " + victim + ":");
      Run brokenJson = run(args("audit", "verify", "--json", db(own)));
      assertThat(brokenJson.exit()).isEqualTo(3);
      assertThat(JsonParser.parseString(brokenJson.out().strip()).getAsJsonObject().get("first_broken_event").getAsLong())
          .isEqualTo(victim);
    }
  }

  static Stream<List<String>> commandPaths(CommandLine cl, List<String> prefix) {
    return cl.getSubcommands().entrySet().stream()
        .filter(e -> e.getKey().equals(e.getValue().getCommandName())) // aliases once
        .flatMap(e -> {
          List<String> path = new ArrayList<>(prefix);
          path.add(e.getKey());
          return Stream.concat(Stream.of(path), commandPaths(e.getValue(), path));
        });
  }

  /** Protects: every command and subcommand documents itself with --help and exits 0 (no connection needed). */
  @Test
  void everyCommandHasHelp() {
    List<List<String>> paths = new ArrayList<>();
    paths.add(List.of());
    commandPaths(ServerholdCommand.newCommandLine(), List.of()).forEach(paths::add);
    assertThat(paths).contains(List.of("serve"), List.of("admin", "credential", "create"), List.of("domain", "register"),
        List.of("filing", "upsert"), List.of("blacklist", "check"), List.of("audit", "verify"));
    for (List<String> path : paths) {
      List<String> argv = new ArrayList<>(path);
      argv.add("--help");
      Run help = run(argv.toArray(String[]::new));
      assertThat(help.exit()).as(String.join(" ", argv) + "\n" + help).isZero();
      assertThat(help.out()).as(String.join(" ", argv)).contains("Usage:");
      assertThat(help.err()).as(String.join(" ", argv)).isEmpty();
    }
  }
}
