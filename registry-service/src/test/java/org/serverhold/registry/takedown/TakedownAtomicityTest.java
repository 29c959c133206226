package org.serverhold.registry.takedown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import java.sql.DriverManager;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.testing.TestDatabases;
import org.serverhold.registry.testing.TestRegistry;

/**
 * Protects "all or nothing": the database connection running a takedown is killed after every
 * statement of the order ran but before it committed, and afterwards not one row of it exists
 * (no takedown record, hold, blacklist entry, offence count, policy changeset or audit event).
 * If any part were written in a transaction of its own, it would survive the kill.
 */
class TakedownAtomicityTest {
  static TestRegistry r;

  @BeforeAll
  static void start() {
    r = new TestRegistry();
  }

  @AfterAll
  static void stop() {
    r.close();
  }

  static Map<String, Object> state() {
    Map<String, Object> s = new LinkedHashMap<>();
    for (String table : new String[] {"takedown", "domain_hold", "blacklist_entry", "policy_changeset",
        "policy_changeset_part", "policy_entry", "audit_event"}) {
      s.put(table, r.db.dsl().fetchValue("select count(*) from " + table));
    }
    s.put("offences", r.db.dsl().fetchValue("select coalesce(sum(offence_count), 0) from holder"));
    s.put("policy_version", r.db.dsl().fetchValue("select version from policy_head"));
    s.put("holds_in_force", r.db.dsl().fetchValue("select count(*) from domain_hold where released_at is null"));
    return s;
  }

  @Test
  void aConnectionKilledBeforeCommitLeavesNoTraceOfTheTakedown() throws Exception {
    for (int i = 0; i < 40; i++) {
      r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid())
          .setDomain("atomic-" + i + ".cn").setRegistrant(registrant("atomic", person(8000))).setYears(1).build());
    }
    Map<String, Object> before = state();
    var flow = new IssueTakedownFlow(r.registry.holders, r.registry.domains, new TakedownStore(), new BlacklistEntries(),
        r.registry.policy, r.registry.audit, CascadePolicy.immediate(), Clock.systemUTC());
    Principal bureau = new Principal("bureau-1", Role.REGULATOR, null, 1);
    String database = r.db.dsl().fetchValue("select database()").toString();
    String[] server = TestDatabases.urlUserPassword(database);

    assertThatThrownBy(() -> r.db.transaction(tx -> {
      var order = flow.run(tx, bureau, "atomic-1",
          new IssueTakedownFlow.Command(new DomainName("atomic-0.cn", "atomic-0.cn"), "bureau", "case-K", "kill test"));
      assertThat(order.domainsSuspended()).isEqualTo(40); // all of it was written inside the transaction
      long connectionId = ((Number) tx.fetchValue("select connection_id()")).longValue();
      try (var killer = DriverManager.getConnection(server[0], server[1], server[2]); var st = killer.createStatement()) {
        st.execute("kill connection " + connectionId);
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return order;
    })).isInstanceOf(RuntimeException.class);

    assertThat(state()).isEqualTo(before);
    // and the registry still works on fresh connections: the same order goes through afterwards
    var order = r.db.transaction(tx -> flow.run(tx, bureau, "atomic-2",
        new IssueTakedownFlow.Command(new DomainName("atomic-0.cn", "atomic-0.cn"), "bureau", "case-K", "retry")));
    assertThat(order.domainsSuspended()).isEqualTo(40);
  }
}
