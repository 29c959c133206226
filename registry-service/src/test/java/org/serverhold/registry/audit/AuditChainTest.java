package org.serverhold.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.schema.Tables.AUDIT_EVENT;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.registry.testing.TestRegistry;

/** Protects tamper evidence: an edited, removed or appended-by-hand audit row is named by the verifier. */
class AuditChainTest {
  TestRegistry r;

  @BeforeEach
  void start() {
    r = new TestRegistry();
    for (int i = 0; i < 5; i++) {
      r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid())
          .setDomain("audited-" + i + ".cn").setRegistrant(registrant("aud", person(9000))).setYears(1).build());
    }
    r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain("audited-0.cn")
        .setAuthority("bureau").setCaseNumber("case-Z").setReason("audit test").build());
  }

  @AfterEach
  void stop() {
    r.close();
  }

  long eventId(String action) {
    return r.db.dsl().select(AUDIT_EVENT.ID).from(AUDIT_EVENT).where(AUDIT_EVENT.ACTION.eq(action))
        .orderBy(AUDIT_EVENT.ID).limit(1).fetchSingle(AUDIT_EVENT.ID);
  }

  @Test
  void anIntactChainVerifiesAndRecordsWhoDidWhat() {
    var result = new AuditVerifier().verify(r.db.dsl());
    assertThat(result.intact()).isTrue();
    var takedown = r.db.dsl().selectFrom(AUDIT_EVENT).where(AUDIT_EVENT.ACTION.eq("takedown.issue")).fetchSingle();
    assertThat(takedown.getActor()).isEqualTo("bureau-1");
    assertThat(takedown.getAuthority()).isEqualTo("bureau");
    assertThat(takedown.getRequestId()).isNotEmpty();
  }

  @Test
  void anEditedRowIsNamed() {
    long id = eventId("domain.register");
    r.db.dsl().update(AUDIT_EVENT).set(AUDIT_EVENT.ACTOR, "someone-else").where(AUDIT_EVENT.ID.eq(id)).execute();
    var result = new AuditVerifier().verify(r.db.dsl());
    assertThat(result.firstBrokenId()).contains(id);
  }

  @Test
  void aDeletedRowIsNamedAtTheNextEvent() {
    long id = eventId("domain.register");
    long next = r.db.dsl().select(AUDIT_EVENT.ID).from(AUDIT_EVENT).where(AUDIT_EVENT.ID.gt(id)).orderBy(AUDIT_EVENT.ID)
        .limit(1).fetchSingle(AUDIT_EVENT.ID);
    r.db.dsl().deleteFrom(AUDIT_EVENT).where(AUDIT_EVENT.ID.eq(id)).execute();
    assertThat(new AuditVerifier().verify(r.db.dsl()).firstBrokenId()).contains(next);
  }

  @Test
  void removingTheLastEventsIsCaughtByTheHead() {
    long last = r.db.dsl().select(org.jooq.impl.DSL.max(AUDIT_EVENT.ID)).from(AUDIT_EVENT).fetchSingle().value1();
    r.db.dsl().deleteFrom(AUDIT_EVENT).where(AUDIT_EVENT.ID.eq(last)).execute();
    assertThat(new AuditVerifier().verify(r.db.dsl()).intact()).isFalse();
  }
}
